package sqlbackend

import (
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/go-sql-driver/mysql"
)

// engine is an SQL engine the tests run on; fresh returns the
// config.Database of a new, empty database that is dropped after t.
type engine struct {
	name  string
	fresh func(t testing.TB) config.Database
}

// engines returns SQLite, and PostgreSQL and MySQL when their test DSNs are
// set. In CI (CI=true) a missing DSN fails the test.
func engines(t testing.TB) []engine {
	t.Helper()
	es := []engine{{"sqlite", func(t testing.TB) config.Database {
		return config.Database{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "test.db"), MaxOpen: 10}
	}}}
	for _, e := range []struct {
		name, env string
		fresh     func(t testing.TB, dsn string) config.Database
	}{
		{"postgres", "APOSPROXY_TEST_POSTGRES_DSN", freshPostgres},
		{"mysql", "APOSPROXY_TEST_MYSQL_DSN", freshMySQL},
	} {
		dsn := os.Getenv(e.env)
		if dsn == "" {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not set: CI tests every engine", e.env)
			}
			t.Logf("%s is not set: skipping %s", e.env, e.name)
			continue
		}
		es = append(es, engine{e.name, func(t testing.TB) config.Database { return e.fresh(t, dsn) }})
	}
	return es
}

// freshPostgres creates a schema of its own and returns a DSN that uses it.
func freshPostgres(t testing.TB, dsn string) config.Database {
	name := "t_" + strings.ToLower(rand.Text()[:12])
	admin(t, "pgx", dsn, "CREATE SCHEMA "+name, "DROP SCHEMA "+name+" CASCADE")
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "search_path=" + name
	} else {
		dsn += " search_path=" + name
	}
	return config.Database{Driver: "postgres", DSN: dsn, MaxOpen: 10}
}

// freshMySQL creates a database of its own and returns a DSN that uses it.
func freshMySQL(t testing.TB, dsn string) config.Database {
	name := "t_" + strings.ToLower(rand.Text()[:12])
	admin(t, "mysql", dsn, "CREATE DATABASE "+name, "DROP DATABASE "+name)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = name
	return config.Database{Driver: "mysql", DSN: cfg.FormatDSN(), MaxOpen: 10}
}

// admin runs create now and drop when t ends, on a connection of its own.
func admin(t testing.TB, driver, dsn, create, drop string) {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), create); err != nil {
		db.Close()
		t.Fatalf("%s: %v", create, err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec(drop); err != nil {
			t.Errorf("%s: %v", drop, err)
		}
	})
}

// open opens cfg for the length of t.
func open(t testing.TB, cfg config.Database) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// run executes an SQL script (statements split as bootstrap splits them).
func run(t testing.TB, db *sqldb.DB, script string) {
	t.Helper()
	for i, stmt := range sqldb.SplitStatements(script) {
		if _, err := db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("statement %d: %v\n%s", i+1, err, stmt)
		}
	}
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
