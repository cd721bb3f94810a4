package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqlbackend"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/jobs"
	"github.com/tidwall/gjson"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openStore opens a job store on a fresh SQLite file.
func openStore(t *testing.T) *sqlbackend.JobStore {
	t.Helper()
	db, err := sqldb.OpenFile(t.Context(), filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := sqlbackend.NewJobStore(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// wait polls job id until it has ended and returns its document.
func wait(t *testing.T, r *jobs.Runner, id, caller string) gjson.Result {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		doc, err := r.Get(t.Context(), id, caller)
		if err != nil {
			t.Fatal(err)
		}
		if j := gjson.ParseBytes(doc); j.Get("ended").Bool() {
			return j
		}
	}
	t.Fatalf("job %s did not end", id)
	return gjson.Result{}
}

func TestRunner(t *testing.T) {
	st := openStore(t)
	r, err := jobs.New(t.Context(), st, quiet, jobs.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	work := func(ctx context.Context, item string) (json.RawMessage, error) {
		switch item {
		case "missing":
			return nil, apos.ErrNotFound
		case "broken":
			return nil, errors.New("driver: secret detail")
		}
		return json.RawMessage(`{"_id":"` + item + `:en:draft"}`), nil
	}
	for _, tc := range []struct {
		name                   string
		owner, caller          string
		items                  []string
		good, bad, percentage  string
		errorName, errorDetail string
	}{
		{name: "all good", items: []string{"a", "b"}, good: "2", bad: "0", percentage: `"100.00"`},
		{name: "a failed item does not stop the rest", items: []string{"missing", "a", "broken", "b"},
			good: "2", bad: "2", percentage: `"100.00"`, errorName: "notfound", errorDetail: "An error occurred."},
		{name: "owned job", owner: "u1", caller: "u1", items: []string{"a"}, good: "1", bad: "0", percentage: `"100.00"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := r.Start(t.Context(), tc.owner, tc.items, work)
			if err != nil {
				t.Fatal(err)
			}
			j := wait(t, r, id, tc.caller)
			if j.Get("_id").Str != id || j.Get("status").Str != "completed" || j.Get("good").Raw != tc.good ||
				j.Get("bad").Raw != tc.bad || j.Get("total").Int() != int64(len(tc.items)) || j.Get("percentage").Raw != tc.percentage {
				t.Fatalf("job %s", j.Raw)
			}
			if tc.errorName != "" && (j.Get("errors.missing.name").Str != tc.errorName || j.Get("errors.broken.message").Str != tc.errorDetail) {
				t.Fatalf("item errors %s", j.Get("errors").Raw)
			}
			if j.Get("results.a._id").Str != "a:en:draft" {
				t.Fatalf("results %s", j.Get("results").Raw)
			}
			if tc.owner != "" {
				if _, err := r.Get(t.Context(), id, "someone else"); !errors.Is(err, apos.ErrNotFound) {
					t.Fatalf("another caller got the job: %v", err)
				}
			}
		})
	}
	if _, err := r.Get(t.Context(), "nosuchjob", ""); !errors.Is(err, apos.ErrNotFound) {
		t.Fatalf("unknown job: %v", err)
	}
}

// TestRestart stops a runner in the middle of a job: the job is saved as
// failed, and a new runner on the same store still answers for it, as it
// does for a job a crash left running.
func TestRestart(t *testing.T) {
	st := openStore(t)
	r, err := jobs.New(t.Context(), st, quiet, jobs.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	var calls atomic.Int32
	id, err := r.Start(t.Context(), "", []string{"a", "b", "c"}, func(ctx context.Context, item string) (json.RawMessage, error) {
		if calls.Add(1) == 2 {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	r.Close()
	// A crash leaves a job saved as running, here whole, as jobs were
	// saved before their items' outcomes were stored apart; its runner
	// renews its lease no more.
	crashed := `{"_id":"crashed","good":1,"bad":0,"processed":1,"total":4,"status":"running","ended":false,"when":"2026-01-01T00:00:00.000Z","results":{"x":{"_id":"x:en:draft"}},"errors":{}}`
	if err := st.SaveJob(t.Context(), "crashed", "", "gone", false, []byte(crashed), 0, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	r2, err := jobs.New(t.Context(), st, quiet, jobs.Options{Timeout: time.Second, Lease: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	doc, err := r2.Get(t.Context(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	j := gjson.ParseBytes(doc)
	if j.Get("status").Str != "failed" || !j.Get("ended").Bool() || j.Get("good").Int() != 1 ||
		j.Get("errors.b.message").Str == "" || j.Get("percentage").Str != "66.67" {
		t.Fatalf("interrupted job %s", doc)
	}
	doc, err = r2.Get(t.Context(), "crashed", "")
	if j := gjson.ParseBytes(doc); err != nil || j.Get("status").Str != "failed" || !j.Get("ended").Bool() || j.Get("percentage").Str != "25.00" ||
		j.Get("results.x._id").Str != "x:en:draft" {
		t.Fatalf("crashed job %s %v", doc, err)
	}
}

// TestWaitWithoutJobs: a runner with no job running is done at once, so
// that a shutdown or a reload does not wait out its whole deadline for
// the runner's own lease keeper.
func TestWaitWithoutJobs(t *testing.T) {
	r, err := jobs.New(t.Context(), openStore(t), quiet, jobs.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Wait(2 * time.Second) {
		t.Fatal("Wait timed out with no job running")
	}
}
