// Package scratchdb makes databases of their own on a PostgreSQL or MySQL
// server, for the tests and the benchmarks: a schema (PostgreSQL) or a
// database (MySQL) with a random name, dropped when done. aposproxy itself
// never creates a database.
package scratchdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Drivers are the database/sql driver names of the engines it serves.
var Drivers = map[string]string{"postgres": "pgx", "mysql": "mysql"}

// Create makes a schema (engine "postgres") or a database ("mysql") named
// prefix plus a random suffix on the server at server, and returns a DSN
// that uses it and a func that drops it.
func Create(ctx context.Context, engine, server, prefix string) (dsn string, drop func() error, err error) {
	driver, ok := Drivers[engine]
	if !ok {
		return "", nil, fmt.Errorf("unknown engine %q (want postgres or mysql)", engine)
	}
	name := prefix + strings.ToLower(rand.Text()[:12])
	create, dropSQL := "CREATE SCHEMA "+name, "DROP SCHEMA "+name+" CASCADE"
	if engine == "mysql" {
		create, dropSQL = "CREATE DATABASE "+name, "DROP DATABASE "+name
	}
	if dsn, err = use(engine, server, name); err != nil {
		return "", nil, err
	}
	admin, err := sql.Open(driver, server)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("%s: %w", create, err)
	}
	return dsn, func() error {
		defer admin.Close()
		if _, err := admin.Exec(dropSQL); err != nil {
			return fmt.Errorf("%s: %w", dropSQL, err)
		}
		return nil
	}, nil
}

// use is the server's DSN pointed at the schema or database name.
func use(engine, server, name string) (string, error) {
	if engine == "mysql" {
		cfg, err := mysql.ParseDSN(server)
		if err != nil {
			return "", err
		}
		cfg.DBName = name
		return cfg.FormatDSN(), nil
	}
	if !strings.Contains(server, "://") {
		return server + " search_path=" + name, nil
	}
	sep := "?"
	if strings.Contains(server, "?") {
		sep = "&"
	}
	return server + sep + "search_path=" + name, nil
}
