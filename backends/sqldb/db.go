package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/config"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is one open, pooled database (the embedded *sql.DB) and the dialect
// of its engine. Queries written with ? placeholders go through Rebind;
// identifiers through Quote.
type DB struct {
	*sql.DB
	dialect dialect
	// zone is the time zone of the database's datetimes without one
	// (config.Database.TimeZone).
	zone *time.Location
	// bounded is set when the connections themselves bound every
	// statement and network wait to the request timeout (PostgreSQL with
	// config.Database.RequestTimeout): reads outside transactions are
	// then detached from their request (ReadContext).
	bounded bool
	// raw is the raw read path's connections (raw.go), nil where it does
	// not serve the database.
	raw *rawPool
}

// Zone is the time zone in which the database's datetimes without a zone
// of their own are read and written (docs/api-rules.md#127).
func (db *DB) Zone() *time.Location { return db.zone }

// Open opens a pooled database for a config.Database (driver sqlite,
// postgres or mysql) and checks that it answers. Errors do not name the
// database; callers prefix them with its key.
//
// The pool holds cfg.MaxOpen connections, which must be at least 1 (the
// configuration's default is 10), except for an in-memory SQLite database,
// which lives as long as its one connection.
//
// For SQLite, when the file does not exist and Bootstrap is set, Open
// creates it (and its directory) and runs the bootstrap SQL files in one
// transaction; if that fails the file is removed again, so that the next
// start retries. An existing database is never created or seeded, and
// other engines' databases never are: Bootstrap is ignored for them. SQLite
// connections wait 5s for locks, use WAL, enforce foreign keys and begin
// transactions as writers, unless the DSN says otherwise. For MySQL,
// parseTime is always on.
//
// With cfg.RequestTimeout, a PostgreSQL pool's connections bound each
// statement to it plus config.DeadlineGrain at the server, and their
// connecting and network waits at the client (postgresConnector).
func Open(ctx context.Context, cfg config.Database) (*DB, error) {
	d, err := dialectFor(cfg.Driver)
	if err != nil {
		return nil, err
	}
	dsn, err := d.dsn(withJournal(cfg))
	if err != nil {
		return nil, err
	}
	path, memory, err := sqliteToCreate(cfg, dsn)
	if err != nil {
		return nil, err
	}
	if !memory && cfg.MaxOpen < 1 {
		return nil, errors.New("max_open must be at least 1")
	}
	x, bounded, err := openBounded(d, dsn, cfg.RequestTimeout)
	if err != nil {
		return nil, err
	}
	zone, err := time.LoadLocation(cfg.TimeZone) // "" is UTC
	if err != nil {
		x.Close()
		return nil, err
	}
	db := &DB{DB: x, dialect: d, zone: zone, bounded: bounded}
	db.pool(cfg.MaxOpen, memory)
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, db.Fail(ctx, err, nil)
	}
	if path != "" || memory && len(cfg.Bootstrap) > 0 {
		if err := db.bootstrap(ctx, cfg.Bootstrap); err != nil {
			x.Close()
			removeSQLite(path)
			return nil, err
		}
	}
	if cfg.Driver == "sqlite" {
		db.raw = newRawPool(ctx, db, dsn, cfg.MaxOpen)
	}
	return db, nil
}

// openBounded opens the pool of dialect d at dsn: on PostgreSQL with a
// request timeout, one whose connections bound themselves (bounded).
func openBounded(d dialect, dsn string, requestTimeout time.Duration) (_ *sql.DB, bounded bool, err error) {
	if _, ok := d.(postgresDialect); !ok || requestTimeout <= 0 {
		x, err := openPool(d.driver(), dsn)
		return x, false, err
	}
	c, err := postgresConnector(dsn, requestTimeout+config.DeadlineGrain)
	if err != nil {
		return nil, false, err
	}
	return openConnector(c), true, nil
}

// Close closes the raw read path's connections, then the pool.
func (db *DB) Close() error {
	if db.raw != nil {
		db.raw.close()
	}
	return db.DB.Close()
}

// OpenFile opens a SQLite file of the proxy's own (its login store or its
// jobs, when the configuration names no database for them), creating the
// file and its directory when missing.
func OpenFile(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return Open(ctx, config.FileDatabase(path))
}

// sqliteToCreate returns the SQLite file Open must create and seed, if
// any, having created its directory, and whether the database is in
// memory.
func sqliteToCreate(cfg config.Database, dsn string) (path string, memory bool, err error) {
	if cfg.Driver != "sqlite" {
		return "", false, nil
	}
	file, memory := sqliteFile(dsn)
	if len(cfg.Bootstrap) == 0 || memory {
		return "", memory, nil
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		return "", false, nil
	}
	return file, false, os.MkdirAll(filepath.Dir(file), 0o755)
}

// pool sizes the connection pool. An in-memory SQLite database lives as
// long as its one connection, so that connection is never closed.
func (db *DB) pool(maxOpen int, memory bool) {
	if memory {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		return
	}
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxOpen)
	db.SetConnMaxIdleTime(5 * time.Minute)
}

// Engine is the configuration's name of the database's engine: sqlite,
// postgres or mysql.
func (db *DB) Engine() string { return db.dialect.engine() }

// Rebind turns a query written with ? placeholders into the engine's.
func (db *DB) Rebind(query string) string {
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

// ReadContext is the context of a read outside any transaction: detached
// from the request's cancellation where the read cannot run or wait
// longer than the request anyway. That spares database/sql's and the
// driver's watcher goroutine and cancel function per query, the largest
// cost the proxy added over a bare handler (docs/architecture.md#deadlines).
//
//   - SQLite runs in the proxy's own process, in WAL mode, where readers
//     never wait for writers or locks and there is no connection to lose:
//     such a read cannot hang.
//   - PostgreSQL, when its connections bound themselves (Open with a
//     request timeout): the server cancels a statement at the request
//     timeout, and the client drops a connection whose server stops
//     answering. Only waiting for a free connection has no such bound, so
//     a read keeps its request's deadline when the pool is busy.
//
// Writes, and reads on MySQL and MariaDB, keep the request's deadline.
// Work of a read that must end with its request, such as a slug sweep,
// takes it back with RequestContext.
func (db *DB) ReadContext(ctx context.Context) context.Context {
	switch {
	case db.bounded:
		if s := db.Stats(); s.InUse < s.MaxOpenConnections {
			return detached{req: ctx}
		}
		return ctx
	case db.dialect.engine() == "sqlite":
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// waitsBounded reports whether a read outside transactions with ctx
// takes its connection on its own (DB.Conn with ctx), then runs detached
// from ctx on it: on a pool whose connections bound themselves, when
// ReadContext left the read its request's context because the pool was
// busy. Waiting for the connection then ends with the request, as
// before; the statement is bounded by the server's timeout, as a
// detached read's; and the read spares database/sql's goroutine and the
// driver's watch of the request's context, the costs ReadContext avoids
// when the pool is free (docs/architecture.md#deadlines).
func (db *DB) waitsBounded(ctx context.Context) bool {
	return db.bounded && ctx.Done() != nil
}

// RequestContext is the request's context of a read's context that
// ReadContext detached on PostgreSQL, ctx itself otherwise.
func RequestContext(ctx context.Context) context.Context {
	if req, ok := ctx.Value(requestKey{}).(context.Context); ok {
		return req
	}
	return ctx
}

// detached is a request's context without its cancellation, as
// context.WithoutCancel's, that keeps the request's for RequestContext.
type detached struct{ req context.Context }

// requestKey is the key of a detached read's request context.
type requestKey struct{}

func (detached) Deadline() (time.Time, bool) { return time.Time{}, false }
func (detached) Done() <-chan struct{}       { return nil }
func (detached) Err() error                  { return nil }

func (c detached) Value(key any) any {
	if key == (requestKey{}) {
		return c.req
	}
	return c.req.Value(key)
}

// BeginUnbound begins a transaction in which the statement timeout of a
// pool whose connections bound themselves is lifted, for the proxy's own
// long work (a slug sweep over a big table, ANALYZE), which ctx's
// deadline alone bounds. Elsewhere it is BeginTx.
func (db *DB) BeginUnbound(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil || !db.bounded {
		return tx, err
	}
	if _, err := tx.ExecContext(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}
