package jobs_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/backends/sqlbackend"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/jobs"
	"github.com/tidwall/gjson"
)

// TestLeases runs runners of several instances on one database of every
// engine, whose jobs table was made before leases: the table gains its
// lease columns and its unfinished job is failed; a job of a live runner
// survives another runner's start and sweeps, long after a lease; a job
// whose runner lost its database (it renews its lease no more) is failed
// by the other runner once the lease has run out.
func TestLeases(t *testing.T) {
	const lease = time.Second
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		dsn := e.Fresh(t)
		open := func() *sqldb.DB {
			db, err := sqldb.Open(t.Context(), config.Database{Driver: e.Name, DSN: dsn, MaxOpen: 4})
			if err != nil {
				t.Fatal(err)
			}
			return db
		}
		db := testkit.Closing(t, open(), nil)
		testkit.Exec(t, db,
			"CREATE TABLE aposproxy_jobs (id VARCHAR(64) NOT NULL PRIMARY KEY, owner VARCHAR(191) NOT NULL, ended INTEGER NOT NULL, doc "+db.LongText()+" NOT NULL)",
			`INSERT INTO aposproxy_jobs (id, owner, ended, doc) VALUES ('old', '', 0, '{"_id":"old","processed":1,"total":2,"status":"running","ended":false}')`)
		runner := func(db *sqldb.DB) *jobs.Runner {
			st, err := sqlbackend.NewJobStore(t.Context(), db)
			if err != nil {
				t.Fatal(err)
			}
			r, err := jobs.New(t.Context(), st, quiet, jobs.Options{Timeout: 10 * time.Second, Lease: lease})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		a := runner(db)
		defer a.Close()
		if j := status(t, a, "old"); j.Get("status").Str != "failed" || !j.Get("ended").Bool() {
			t.Fatalf("the job of a table made before leases: %s", j.Raw)
		}

		release := make(chan struct{})
		hold := func(ctx context.Context, item string) (json.RawMessage, error) {
			select {
			case <-release:
				return nil, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		live, err := a.Start(t.Context(), "", []string{"x"}, hold)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(lease * 3 / 2)
		b := runner(db)
		defer b.Close()
		time.Sleep(lease)
		if j := status(t, b, live); j.Get("status").Str != "running" || j.Get("ended").Bool() {
			t.Fatalf("a live runner's job after another's start and sweeps: %s", j.Raw)
		}

		// A third instance loses its database in the middle of a job.
		cdb := open()
		c := runner(cdb)
		orphan, err := c.Start(t.Context(), "", []string{"y"}, hold)
		if err != nil {
			t.Fatal(err)
		}
		cdb.Close()
		deadline := time.Now().Add(lease * 4)
		for status(t, b, orphan).Get("status").Str == "running" {
			if time.Now().After(deadline) {
				t.Fatalf("a job whose runner is gone still runs after %v", lease*4)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if j := status(t, b, orphan); j.Get("status").Str != "failed" || !j.Get("ended").Bool() {
			t.Fatalf("a job whose runner is gone: %s", j.Raw)
		}
		if j := status(t, b, live); j.Get("status").Str != "running" {
			t.Fatalf("the live runner's job after the sweep: %s", j.Raw)
		}
		close(release)
		c.Close()
		if j := wait(t, a, live, ""); j.Get("status").Str != "completed" {
			t.Fatalf("the live runner's job at its end: %s", j.Raw)
		}
	})
}

// status reads job id through r.
func status(t *testing.T, r *jobs.Runner, id string) gjson.Result {
	t.Helper()
	doc, err := r.Get(t.Context(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	return gjson.ParseBytes(doc)
}
