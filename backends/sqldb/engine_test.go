package sqldb

import (
	"testing"

	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// fresh opens a new, empty database of e for the length of t.
func fresh(t testing.TB, e testkit.Engine) *DB {
	return open(t, config.Database{Driver: e.Name, DSN: e.Fresh(t), MaxOpen: 10})
}

// eachDB runs f on a new, empty database of every engine, a subtest per
// engine.
func eachDB(t *testing.T, f func(t *testing.T, e testkit.Engine, db *DB)) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) { f(t, e, fresh(t, e)) })
}

// open opens cfg for the length of t.
func open(t testing.TB, cfg config.Database) *DB {
	t.Helper()
	db, err := Open(t.Context(), cfg)
	return testkit.Closing(t, db, err)
}

// run executes an SQL script (statements split as bootstrap splits them).
func run(t testing.TB, db *DB, script string) {
	t.Helper()
	testkit.Exec(t, db, SplitStatements(script)...)
}
