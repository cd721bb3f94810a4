// Package sqlfixture loads an example's SQL files into a PostgreSQL
// schema or MySQL database, for the tests and the benchmarks.
package sqlfixture

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/scratchdb"
)

// Load runs the SQL files names of fsys, in order, one statement at a
// time on one connection (so that a session setting made by one file
// holds for the next), in the empty PostgreSQL schema or MySQL database
// at dsn.
func Load(ctx context.Context, engine, dsn string, fsys fs.FS, names []string) error {
	driver, ok := scratchdb.Drivers[engine]
	if !ok {
		return fmt.Errorf("unknown engine %q (want postgres or mysql)", engine)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, f := range names {
		body, err := fs.ReadFile(fsys, f)
		if err != nil {
			return err
		}
		for _, stmt := range sqldb.SplitStatements(string(body)) {
			if _, err := conn.ExecContext(ctx, strings.TrimSuffix(stmt, ";")); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return nil
}
