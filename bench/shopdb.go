package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// freshDatabase creates a schema (PostgreSQL) or database (MySQL) of its
// own on the server at base, loads the shop's schema and seed into it, and
// returns its DSN and a func that drops it. aposproxy never creates or
// seeds a PostgreSQL or MySQL database itself.
func freshDatabase(ctx context.Context, root, engine, base string) (dsn string, drop func(), err error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "bench_" + hex.EncodeToString(b[:])
	var files []string
	var driver string
	switch engine {
	case "postgres":
		driver, files = "pgx", []string{"schema.postgres.sql", "seed.sql", "after-seed.postgres.sql"}
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		dsn = base + sep + "search_path=" + name
	case "mysql":
		driver, files = "mysql", []string{"schema.mysql.sql", "seed.sql"}
		i := strings.LastIndex(base, "/")
		if i < 0 {
			return "", nil, fmt.Errorf("%q is not a MySQL DSN with a database", base)
		}
		rest := ""
		if q := strings.Index(base[i:], "?"); q >= 0 {
			rest = base[i+q:]
		}
		dsn = base[:i+1] + name + rest
	default:
		return "", nil, fmt.Errorf("unknown engine %q", engine)
	}
	admin, err := sql.Open(driver, base)
	if err != nil {
		return "", nil, err
	}
	create, dropSQL := "CREATE SCHEMA "+name, "DROP SCHEMA "+name+" CASCADE"
	if engine == "mysql" {
		create, dropSQL = "CREATE DATABASE "+name, "DROP DATABASE "+name
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("%s: %w", create, err)
	}
	drop = func() { _, _ = admin.Exec(dropSQL); admin.Close() }
	if err := load(ctx, driver, dsn, root, files); err != nil {
		drop()
		return "", nil, err
	}
	return dsn, drop, nil
}

// load runs the shop's SQL files on dsn, one statement at a time.
func load(ctx context.Context, driver, dsn, root string, files []string) error {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, f := range files {
		body, err := os.ReadFile(filepath.Join(root, "examples", "shop", f))
		if err != nil {
			return err
		}
		for _, stmt := range splitSQL(string(body)) {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return nil
}

// splitSQL splits a fixture file into statements: they end with ";" at
// the end of a line, and lines starting with "--" are comments.
func splitSQL(s string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(s, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	return out
}
