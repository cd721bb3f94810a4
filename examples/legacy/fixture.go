// Package legacy is a small legacy "bookshop" database with the awkward
// parts real schemas have (CamelCase identifiers, a composite key, a key
// with no default, a self-reference, NUMERIC and DATETIME columns, a
// view, a table without a key): its schema per engine, its seed, and a
// way to load them into a PostgreSQL schema or a MySQL database of their
// own. config.toml in this directory serves it; SQLite is bootstrapped
// from the same files.
package legacy

import (
	"context"
	"embed"
	"fmt"

	"github.com/aposproxy/aposproxy/internal/sqlfixture"
)

//go:embed *.sql
var files embed.FS

// scripts are the fixture's files for each engine, in load order.
var scripts = map[string][]string{
	"postgres": {"postgres.sql", "seed.sql", "after-seed.postgres.sql"},
	"mysql":    {"mysql.sql", "seed.sql"},
}

// Load loads the bookshop into the empty PostgreSQL schema or MySQL
// database at dsn.
func Load(ctx context.Context, engine, dsn string) error {
	names, ok := scripts[engine]
	if !ok {
		return fmt.Errorf("unknown engine %q (want postgres or mysql)", engine)
	}
	return sqlfixture.Load(ctx, engine, dsn, files, names)
}
