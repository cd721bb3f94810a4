package sqlbackend

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// fresh opens a new, empty database of e for the length of t. A SQLite
// file is in WAL mode, as the shop's config.toml asks for, so that
// its reads take the raw read path (docs/architecture.md#sqlites-raw-read-path).
func fresh(t testing.TB, e testkit.Engine) *sqldb.DB {
	cfg := config.Database{Driver: e.Name, DSN: e.Fresh(t), MaxOpen: 10}
	if e.Name == "sqlite" {
		cfg.JournalMode = "wal"
	}
	return open(t, cfg)
}

// eachDB runs f on a new, empty database of every engine, a subtest per
// engine.
func eachDB(t *testing.T, f func(t *testing.T, e testkit.Engine, db *sqldb.DB)) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) { f(t, e, fresh(t, e)) })
}

// open opens cfg for the length of t.
func open(t testing.TB, cfg config.Database) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(t.Context(), cfg)
	return testkit.Closing(t, db, err)
}

// run executes an SQL script (statements split as bootstrap splits them).
func run(t testing.TB, db *sqldb.DB, script string) {
	t.Helper()
	testkit.Exec(t, db, sqldb.SplitStatements(script)...)
}

// runFiles executes the SQL files named by path patterns relative to the
// repository's root, in order.
func runFiles(t testing.TB, db *sqldb.DB, files ...string) {
	t.Helper()
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join("..", "..", f))
		if err != nil {
			t.Fatal(err)
		}
		run(t, db, string(src))
	}
}

// mustNew builds an adapter of t on db.
func mustNew(tb testing.TB, db *sqldb.DB, typ *config.Type) *Adapter {
	tb.Helper()
	a, err := New(db, typ, Options{DefaultLocale: "en"})
	if err != nil {
		tb.Fatal(fmt.Errorf("types.%s: %w", typ.Name, err))
	}
	return a
}
