// Package shop is the legacy shop database the examples, the black-box
// tests and the benchmarks serve: its schema per engine and its seed (the
// SQL files of this directory, which config.toml also bootstraps SQLite
// from), and a way to load them into a PostgreSQL schema or a MySQL
// database of their own. aposproxy itself never creates or seeds a
// PostgreSQL or MySQL database.
package shop

import (
	"context"
	"embed"
	"fmt"

	"github.com/aposproxy/aposproxy/internal/scratchdb"
	"github.com/aposproxy/aposproxy/internal/sqlfixture"
)

//go:embed *.sql
var files embed.FS

// scripts are the fixture's files for each engine, in load order.
var scripts = map[string][]string{
	"postgres": {"schema.postgres.sql", "seed.sql", "after-seed.postgres.sql"},
	"mysql":    {"schema.mysql.sql", "seed.sql"},
}

// Fresh creates a schema (PostgreSQL) or a database (MySQL) named prefix
// plus a random suffix on the server at base, loads the shop into it, and
// returns its DSN and a func that drops it.
func Fresh(ctx context.Context, engine, base, prefix string) (dsn string, drop func(), err error) {
	dsn, dropErr, err := scratchdb.Create(ctx, engine, base, prefix)
	if err != nil {
		return "", nil, err
	}
	drop = func() { _ = dropErr() }
	if err := Load(ctx, engine, dsn); err != nil {
		drop()
		return "", nil, err
	}
	return dsn, drop, nil
}

// Load loads the shop into the empty PostgreSQL schema or MySQL database
// at dsn, one statement at a time.
func Load(ctx context.Context, engine, dsn string) error {
	names, ok := scripts[engine]
	if !ok {
		return fmt.Errorf("unknown engine %q (want postgres or mysql)", engine)
	}
	return sqlfixture.Load(ctx, engine, dsn, files, names)
}
