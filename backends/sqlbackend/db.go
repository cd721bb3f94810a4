package sqlbackend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/config"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is one open, pooled database and the dialect of its engine.
type DB struct {
	x       *sqlx.DB
	dialect dialect
}

// defaultMaxOpen caps the pool when the configuration does not.
const defaultMaxOpen = 10

// Open opens a pooled database for a config.Database (driver sqlite,
// postgres or mysql) and checks that it answers. name is the database's
// name in the configuration; errors do not repeat it, callers prefix them.
//
// For SQLite, when the file does not exist and Bootstrap is set, Open
// creates it (and its directory) and runs the bootstrap SQL files in one
// transaction; if that fails the file is removed again, so that the next
// start retries. An existing database is never created or seeded, and
// other engines' databases never are: Bootstrap is ignored for them. SQLite
// connections wait 5s for locks, use WAL, enforce foreign keys and begin
// transactions as writers, unless the DSN says otherwise. For MySQL,
// parseTime is always on.
func Open(ctx context.Context, name string, cfg config.Database) (*DB, error) {
	d, err := dialectFor(cfg.Driver)
	if err != nil {
		return nil, err
	}
	dsn, err := d.dsn(cfg.DSN)
	if err != nil {
		return nil, err
	}
	var path string // the SQLite file to create and seed, if any
	memory := false
	if cfg.Driver == "sqlite" {
		var file string
		file, memory = sqliteFile(dsn)
		if len(cfg.Bootstrap) > 0 && !memory {
			if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
				path = file
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					return nil, err
				}
			}
		}
	}
	x, err := sqlx.Open(d.driver(), dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{x: x, dialect: d}
	db.pool(cfg.MaxOpen, memory)
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, fail(ctx, d, err, nil)
	}
	if path != "" || memory && len(cfg.Bootstrap) > 0 {
		if err := db.bootstrap(ctx, cfg.Bootstrap); err != nil {
			x.Close()
			removeSQLite(path)
			return nil, err
		}
	}
	return db, nil
}

// pool sizes the connection pool. An in-memory SQLite database lives as
// long as its one connection, so that connection is never closed.
func (db *DB) pool(maxOpen int, memory bool) {
	if memory {
		db.x.SetMaxOpenConns(1)
		db.x.SetMaxIdleConns(1)
		return
	}
	if maxOpen <= 0 {
		maxOpen = defaultMaxOpen
	}
	db.x.SetMaxOpenConns(maxOpen)
	db.x.SetMaxIdleConns(maxOpen)
	db.x.SetConnMaxIdleTime(5 * time.Minute)
}

// Close closes the pool; the adapters built on db stop working.
func (db *DB) Close() error { return db.x.Close() }

// rebind turns a query written with ? placeholders into the engine's.
func (db *DB) rebind(query string) string {
	return sqlx.Rebind(db.dialect.bindType(), query)
}

// sqliteFile returns the file a SQLite DSN names, and whether the database
// is in memory instead.
func sqliteFile(dsn string) (file string, memory bool) {
	file, query, _ := strings.Cut(dsn, "?")
	file = strings.TrimPrefix(strings.TrimPrefix(file, "file:"), "//")
	return file, file == ":memory:" || file == "" || strings.Contains(query, "mode=memory")
}

// removeSQLite removes a SQLite database file and its WAL companions.
func removeSQLite(path string) {
	if path == "" {
		return
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		_ = os.Remove(path + suffix)
	}
}

// readContext is the context of a read outside any transaction. SQLite
// runs in the proxy's own process, in WAL mode, where readers never wait
// for writers or locks and there is no connection to lose: such a read
// cannot hang, so it is detached from the request's cancellation. That
// spares database/sql's and the driver's watcher goroutine per query,
// the largest cost the proxy added over a bare handler. Writes, and every
// query on the network engines, keep the request's deadline.
func (db *DB) readContext(ctx context.Context) context.Context {
	if _, ok := db.dialect.(sqliteDialect); ok {
		return context.WithoutCancel(ctx)
	}
	return ctx
}
