package sqldb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// postgres is the PostgreSQL engine of the tests.
var postgres = testkit.Engines[1]

// TestBoundedPostgres checks a PostgreSQL pool opened with a request
// timeout: a read outside a transaction is detached from its request, and
// the server cancels it at the timeout (plus the grain) with the timeout
// error a passed deadline gives; a transaction BeginUnbound began runs longer.
func TestBoundedPostgres(t *testing.T) {
	const timeout = 200 * time.Millisecond
	db := open(t, config.Database{Driver: "postgres", DSN: postgres.Fresh(t), MaxOpen: 2, RequestTimeout: timeout})
	req, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	var shown string
	if err := db.QueryRowContext(req, "SHOW statement_timeout").Scan(&shown); err != nil {
		t.Fatal(err)
	}
	if want := "220ms"; shown != want {
		t.Errorf("statement_timeout %q, want %q", shown, want)
	}

	ctx := db.ReadContext(req)
	if ctx.Done() != nil {
		t.Fatal("a read of an idle bounded pool keeps its request's cancellation")
	}
	if RequestContext(ctx) != req {
		t.Error("RequestContext does not give back the request's context")
	}
	start := time.Now()
	_, err := db.ExecContext(ctx, "SELECT pg_sleep(3)")
	took := time.Since(start)
	if err == nil {
		t.Fatal("a read of 3s was not cancelled")
	}
	if took < timeout || took > 2*time.Second {
		t.Errorf("the read was cancelled after %v, want about %v", took, timeout)
	}
	if err := db.Fail(ctx, err, nil); !errors.Is(err, apos.ErrTimeout) {
		t.Errorf("a read cancelled by the statement timeout failed with %v, want the timeout error", err)
	}

	tx, err := db.BeginUnbound(req)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(req, "SELECT pg_sleep(0.5)"); err != nil {
		t.Errorf("an unbound transaction was cut: %v", err)
	}
}

// TestBoundedBusyPool checks that a read keeps its request's deadline
// when it would wait for a connection: only the connections bound what
// they run.
func TestBoundedBusyPool(t *testing.T) {
	db := open(t, config.Database{Driver: "postgres", DSN: postgres.Fresh(t), MaxOpen: 1, RequestTimeout: time.Second})
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if db.ReadContext(t.Context()) != t.Context() {
		t.Error("a read of a busy pool is detached from its request")
	}
}

// TestUnboundedPostgres checks that a pool opened without a request
// timeout (introspection, the check command) leaves reads attached and
// statements unbounded.
func TestUnboundedPostgres(t *testing.T) {
	db := open(t, config.Database{Driver: "postgres", DSN: postgres.Fresh(t), MaxOpen: 2})
	if db.ReadContext(t.Context()) != t.Context() {
		t.Error("a read of an unbounded pool is detached from its request")
	}
	var shown string
	if err := db.QueryRowContext(t.Context(), "SHOW statement_timeout").Scan(&shown); err != nil {
		t.Fatal(err)
	}
	if shown != "0" {
		t.Errorf("statement_timeout %q, want 0", shown)
	}
}

// TestBoundedBusyPoolRead checks a prepared read that finds the bounded
// pool busy: its wait for a connection ends with its request, and once it
// has one it runs detached from the request (the server's statement
// timeout bounds it), on a connection it gives back after its rows.
func TestBoundedBusyPoolRead(t *testing.T) {
	db := open(t, config.Database{Driver: "postgres", DSN: postgres.Fresh(t), MaxOpen: 1, RequestTimeout: time.Second})
	sleep, err := db.PrepareRead(t.Context(), "SELECT pg_sleep($1::float8)::text")
	if err != nil {
		t.Fatal(err)
	}
	defer sleep.Close()
	// A destination of a type goes through database/sql, a sql.Scanner
	// through pgx (readPgx): both wait and run alike.
	var out string
	for _, dest := range [][]any{{&out}, {&pgValue{}}} {
		held, err := db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		req, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		ctx := db.ReadContext(req)
		start := time.Now()
		err = sleep.ReadRow(ctx, nil, []any{0.0}, dest)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a read waiting for a connection past its request's deadline failed with %v", err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("the wait ended after %v, want about 100ms", took)
		}
		held.Close()

		// The pool is free again; hold it busy with a read of its own rows,
		// then read on the connection it gives back once its request ends
		// before the read does.
		req, cancel = context.WithCancel(t.Context())
		if ctx = db.ReadContext(req); ctx.Done() != nil {
			t.Fatal("a read of an idle bounded pool keeps its request's cancellation")
		}
		conn, err := db.Conn(t.Context()) // the pool is busy for the next read
		if err != nil {
			t.Fatal(err)
		}
		ctx = db.ReadContext(req)
		conn.Close()
		if ctx.Done() == nil {
			t.Fatal("a read of a busy pool is detached from its request")
		}
		time.AfterFunc(50*time.Millisecond, cancel)
		if err := sleep.ReadRow(ctx, nil, []any{0.3}, dest); err != nil {
			t.Errorf("a read that had its connection was cut with its request: %v", err)
		}
	}
	// Rows hold their connection until they end.
	rows, err := sleep.Query(t.Context(), 0.0)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if s := db.Stats(); s.InUse != 0 {
		t.Errorf("%d connections still in use after the rows ended", s.InUse)
	}
}
