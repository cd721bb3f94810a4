package sqldb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestDeadline checks that a query cut by its deadline is a timeout (504)
// on each engine, at once.
func TestDeadline(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *DB) {
		slow := map[string]string{
			"sqlite":   "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c",
			"postgres": "SELECT pg_sleep(5)",
			"mysql":    "SELECT SLEEP(5)",
		}[e.Name]
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		var n any
		err := db.QueryRowContext(ctx, slow).Scan(&n)
		if err = db.Fail(ctx, err, nil); !errors.Is(err, apos.ErrTimeout) {
			t.Fatalf("error %v, want timeout", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v", d)
		}
	})
}

// TestUnreachable checks that a server that is not there is unavailable
// (503), at once: the drivers are opened on a port nobody listens on.
func TestUnreachable(t *testing.T) {
	addr := testkit.FreeAddr(t)
	for _, cfg := range []config.Database{
		{Driver: "postgres", DSN: "postgres://postgres@" + addr + "/test?sslmode=disable", MaxOpen: 1},
		{Driver: "mysql", DSN: "root@tcp(" + addr + ")/test", MaxOpen: 1},
		{Driver: "sqlite", DSN: "/proc/no/such/dir/test.db", MaxOpen: 1},
	} {
		t.Run(cfg.Driver, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			start := time.Now()
			db, err := Open(ctx, cfg)
			if err == nil {
				db.Close()
			}
			if !errors.Is(err, apos.ErrUnavailable) {
				t.Fatalf("error %v, want unavailable", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestFail checks what Fail keeps and what it maps: apos errors and
// unexpected errors pass through, a conflict keeps its cause for the logs
// behind a message without driver text, and fieldOf names the field.
func TestFail(t *testing.T) {
	db := open(t, config.Database{Driver: "sqlite", DSN: ":memory:"})
	run(t, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nINSERT INTO t VALUES (1, 'a');")
	ctx := t.Context()
	own := apos.Errorf(apos.ErrNotFound, "gone")
	if err := db.Fail(ctx, own, nil); err != own {
		t.Errorf("apos error: %v, want it as it is", err)
	}
	odd := errors.New("odd")
	if err := db.Fail(ctx, odd, nil); err != odd {
		t.Errorf("unexpected error: %v, want it as it is", err)
	}
	_, err := db.ExecContext(ctx, "INSERT INTO t VALUES (1, 'b')")
	err = db.Fail(ctx, err, nil)
	if ae, ok := apos.AsError(err); !ok || !errors.Is(err, apos.ErrConflict) || ae.Message != MsgConflict || ae.Err == nil {
		t.Errorf("duplicate: %#v, want a conflict keeping its cause", err)
	}
	_, err = db.ExecContext(ctx, "INSERT INTO t VALUES (2, NULL)")
	var got DriverError
	err = db.Fail(ctx, err, func(e DriverError) string { got = e; return "title" })
	var ve *apos.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Path != "title" || ve.Fields[0].Name != "required" {
		t.Fatalf("NOT NULL: %#v, want title required", err)
	}
	if got.Class != ClassRequired || !strings.Contains(got.Hint, "t.name") {
		t.Errorf("classified %+v, want required with a hint naming t.name", got)
	}
}
