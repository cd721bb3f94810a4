// Package sqldb opens the databases of the configuration for the auth
// packages: the proxy's own tables (tokens, sessions, throttle counters)
// and legacy users tables. It knows just enough of each engine for them.
package sqldb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aposproxy/aposproxy/config"
	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers "sqlite"
)

// DB is one pooled database and the name of its engine (sqlite, postgres
// or mysql).
type DB struct {
	*sqlx.DB
	Engine string
}

// sqliteParams make SQLite wait for locks rather than fail, let readers
// run beside the writer, and begin transactions as writers, so that a
// read-then-write never fails halfway.
var sqliteParams = []struct{ name, param string }{
	{"busy_timeout", "_pragma=busy_timeout(5000)"},
	{"journal_mode", "_pragma=journal_mode(WAL)"},
	{"_txlock", "_txlock=immediate"},
}

// Open opens cfg and checks that it answers. A SQLite file's directory is
// created when missing (the default store file lives under data/).
func Open(ctx context.Context, cfg config.Database) (*DB, error) {
	dsn := cfg.DSN
	var driver string
	switch cfg.Driver {
	case "sqlite":
		driver = "sqlite"
		dsn = sqliteDSN(dsn)
		file, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(cfg.DSN, "file:"), "//"), "?")
		if file != "" && file != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return nil, err
			}
		}
	case "postgres":
		driver = "pgx"
	case "mysql":
		driver = "mysql"
	default:
		return nil, fmt.Errorf("unknown driver %q", cfg.Driver)
	}
	x, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	x.SetMaxOpenConns(max(cfg.MaxOpen, 2))
	x.SetMaxIdleConns(max(cfg.MaxOpen, 2))
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, err
	}
	return &DB{DB: x, Engine: cfg.Driver}, nil
}

// sqliteDSN adds the settings of sqliteParams that dsn does not set.
func sqliteDSN(dsn string) string {
	_, query, _ := strings.Cut(dsn, "?")
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for _, p := range sqliteParams {
		if !strings.Contains(query, p.name) {
			dsn += sep + p.param
			sep = "&"
		}
	}
	return dsn
}

// Quote quotes an identifier that the configuration has already held to
// [A-Za-z_][A-Za-z0-9_]*.
func (db *DB) Quote(ident string) string {
	if db.Engine == "mysql" {
		return "`" + ident + "`"
	}
	return `"` + ident + `"`
}
