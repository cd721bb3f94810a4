package testkit

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/scratchdb"
)

// Engine is an SQL engine the tests run on.
type Engine struct {
	Name     string // the config's driver name: sqlite, postgres or mysql
	variable string // the environment variable with its server's DSN
}

// Engines are SQLite, PostgreSQL and MySQL, in that order.
var Engines = []Engine{
	{Name: "sqlite"},
	{Name: "postgres", variable: "APOSPROXY_TEST_POSTGRES_DSN"},
	{Name: "mysql", variable: "APOSPROXY_TEST_MYSQL_DSN"},
}

// SQLite is the engine every test can run on.
var SQLite = Engines[0]

// EachEngine runs f as a subtest per engine.
func EachEngine(t *testing.T, f func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(e.Name, func(t *testing.T) { f(t, e) })
	}
}

// Fresh returns the DSN of a new, empty database of e, dropped when the
// test ends: a SQLite file, a PostgreSQL schema or a MySQL database. A
// server whose DSN is not set skips the test, except in CI (see Need).
func (e Engine) Fresh(tb testing.TB) string {
	tb.Helper()
	if e.variable == "" {
		return "file:" + filepath.Join(tb.TempDir(), "test.db")
	}
	server := Need(tb, e.variable)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn, drop, err := scratchdb.Create(ctx, e.Name, server, "t_")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Error(err)
		}
	})
	return dsn
}
