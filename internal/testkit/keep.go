package testkit

import (
	"context"
	"database/sql"
	"io"
	"testing"
)

// Closing returns v, opened for the test and closed when it ends; a
// non-nil err (the opener's) fails the test instead.
func Closing[T io.Closer](tb testing.TB, v T, err error) T {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = v.Close() })
	return v
}

// Execer runs statements: a *sql.DB, or a pool that embeds one.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Exec runs statements on db in order; the first that fails fails the
// test.
func Exec(tb testing.TB, db Execer, statements ...string) {
	tb.Helper()
	for i, stmt := range statements {
		if _, err := db.ExecContext(tb.Context(), stmt); err != nil {
			tb.Fatalf("statement %d: %v\n%s", i+1, err, stmt)
		}
	}
}
