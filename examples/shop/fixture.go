// Package shop is the legacy shop database the examples, the black-box
// tests and the benchmarks serve: its schema per engine and its seed (the
// SQL files of this directory, which config.toml also bootstraps SQLite
// from), and a way to load them into a PostgreSQL schema or a MySQL
// database of their own. aposproxy itself never creates or seeds a
// PostgreSQL or MySQL database.
package shop

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
)

//go:embed *.sql
var files embed.FS

// scripts are the fixture's files for each engine, in load order.
var scripts = map[string][]string{
	"postgres": {"schema.postgres.sql", "seed.sql", "after-seed.postgres.sql"},
	"mysql":    {"schema.mysql.sql", "seed.sql"},
}

// drivers are the database/sql driver names of the engines.
var drivers = map[string]string{"postgres": "pgx", "mysql": "mysql"}

// Fresh creates a schema (PostgreSQL) or a database (MySQL) named prefix
// plus a random suffix on the server at base, loads the shop into it, and
// returns its DSN and a func that drops it.
func Fresh(ctx context.Context, engine, base, prefix string) (dsn string, drop func(), err error) {
	driver, ok := drivers[engine]
	if !ok {
		return "", nil, fmt.Errorf("unknown engine %q (want postgres or mysql)", engine)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := prefix + hex.EncodeToString(b[:])
	create, dropSQL := "CREATE SCHEMA "+name, "DROP SCHEMA "+name+" CASCADE"
	if engine == "mysql" {
		create, dropSQL = "CREATE DATABASE "+name, "DROP DATABASE "+name
	}
	if dsn, err = dsnFor(engine, base, name); err != nil {
		return "", nil, err
	}
	admin, err := sql.Open(driver, base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("%s: %w", create, err)
	}
	drop = func() { _, _ = admin.Exec(dropSQL); admin.Close() }
	if err := load(ctx, driver, dsn, scripts[engine]); err != nil {
		drop()
		return "", nil, err
	}
	return dsn, drop, nil
}

// dsnFor is base pointed at the schema or database name.
func dsnFor(engine, base, name string) (string, error) {
	if engine == "postgres" {
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		return base + sep + "search_path=" + name, nil
	}
	i := strings.LastIndex(base, "/")
	if i < 0 {
		return "", fmt.Errorf("%q is not a MySQL DSN with a database", base)
	}
	rest := ""
	if q := strings.Index(base[i:], "?"); q >= 0 {
		rest = base[i+q:]
	}
	return base[:i+1] + name + rest, nil
}

// load runs the fixture's files on dsn, one statement at a time.
func load(ctx context.Context, driver, dsn string, names []string) error {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, f := range names {
		body, err := files.ReadFile(f)
		if err != nil {
			return err
		}
		for _, stmt := range sqldb.SplitStatements(string(body)) {
			if _, err := db.ExecContext(ctx, strings.TrimSuffix(stmt, ";")); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return nil
}
