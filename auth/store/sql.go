package store

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"time"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// SQL keeps grants and counters in three tables the proxy owns,
// <prefix>_tokens, <prefix>_sessions and <prefix>_throttle, created on
// demand in the given database. It never touches any other table. Times
// are stored as Unix milliseconds, which every engine compares alike.
type SQL struct {
	db *sqldb.DB
	// Statements, rebound for the engine.
	get, put, del     map[Kind]string
	sweep             map[Kind]string
	thrRead, thrLock  string
	thrSet, thrInsert string
	thrReset          string
	lastSweep         atomic.Int64 // Unix ms of the last removal of expired rows
}

// sweepEvery bounds how often Put removes expired rows.
const sweepEvery = time.Minute

// NewSQL creates the tables when they do not exist and returns the store.
// The store does not close db.
func NewSQL(ctx context.Context, db *sqldb.DB, prefix string) (*SQL, error) {
	s := &SQL{db: db, get: map[Kind]string{}, put: map[Kind]string{}, del: map[Kind]string{}, sweep: map[Kind]string{}}
	tables := map[Kind]string{Token: db.Quote(prefix + "_tokens"), Session: db.Quote(prefix + "_sessions")}
	throttle := db.Quote(prefix + "_throttle")
	ddl := []string{
		"CREATE TABLE IF NOT EXISTS " + throttle + " (id VARCHAR(80) NOT NULL PRIMARY KEY, failures INTEGER NOT NULL, expires BIGINT NOT NULL)",
	}
	for k, t := range tables {
		ddl = append(ddl, "CREATE TABLE IF NOT EXISTS "+t+" (id VARCHAR(80) NOT NULL PRIMARY KEY, source VARCHAR(100) NOT NULL,"+
			" user_id VARCHAR(255) NOT NULL, stamp VARCHAR(80) NOT NULL, expires BIGINT NOT NULL)")
		s.get[k] = db.Rebind("SELECT source, user_id, stamp, expires FROM " + t + " WHERE id = ? AND expires > ?")
		s.del[k] = db.Rebind("DELETE FROM " + t + " WHERE id = ?")
		s.sweep[k] = db.Rebind("DELETE FROM " + t + " WHERE expires <= ?")
		s.put[k] = db.Rebind(upsert(db.Engine(), t, "source, user_id, stamp, expires", "?, ?, ?, ?, ?",
			[]string{"source", "user_id", "stamp", "expires"}))
	}
	s.thrRead = db.Rebind("SELECT failures, expires FROM " + throttle + " WHERE id = ?")
	s.thrLock = s.thrRead + db.ForUpdate()
	s.thrSet = db.Rebind("UPDATE " + throttle + " SET failures = ?, expires = ? WHERE id = ?")
	s.thrInsert = db.Rebind(insertIgnore(db.Engine(), throttle, "id, failures, expires", "?, 0, 0"))
	s.thrReset = db.Rebind("DELETE FROM " + throttle + " WHERE id = ?")
	for _, q := range ddl {
		if _, err := db.ExecContext(ctx, q); err != nil {
			// Another instance may be creating the same table right now.
			if _, err = db.ExecContext(ctx, q); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// upsert inserts a row by id or replaces its columns.
func upsert(engine, table, cols, vals string, set []string) string {
	q := "INSERT INTO " + table + " (id, " + cols + ") VALUES (" + vals + ")"
	if engine == "mysql" {
		q += " ON DUPLICATE KEY UPDATE "
		for i, c := range set {
			if i > 0 {
				q += ", "
			}
			q += c + " = VALUES(" + c + ")"
		}
		return q
	}
	q += " ON CONFLICT (id) DO UPDATE SET "
	for i, c := range set {
		if i > 0 {
			q += ", "
		}
		q += c + " = excluded." + c
	}
	return q
}

// insertIgnore inserts a row unless its id exists.
func insertIgnore(engine, table, cols, vals string) string {
	if engine == "mysql" {
		return "INSERT IGNORE INTO " + table + " (" + cols + ") VALUES (" + vals + ")"
	}
	return "INSERT INTO " + table + " (" + cols + ") VALUES (" + vals + ") ON CONFLICT (id) DO NOTHING"
}

// Put implements Store.
func (s *SQL) Put(ctx context.Context, k Kind, id string, g Grant) error {
	now := time.Now().UnixMilli()
	if last := s.lastSweep.Load(); now-last > sweepEvery.Milliseconds() && s.lastSweep.CompareAndSwap(last, now) {
		if _, err := s.db.ExecContext(ctx, s.sweep[k], now); err != nil {
			return err
		}
	}
	_, err := s.db.ExecContext(ctx, s.put[k], id, g.Source, g.UserID, g.Stamp, g.Expires.UnixMilli())
	return err
}

// Get implements Store.
func (s *SQL) Get(ctx context.Context, k Kind, id string) (Grant, error) {
	var g Grant
	var exp int64
	err := s.db.QueryRowContext(ctx, s.get[k], id, time.Now().UnixMilli()).Scan(&g.Source, &g.UserID, &g.Stamp, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return Grant{}, ErrNotFound
	}
	g.Expires = time.UnixMilli(exp)
	return g, err
}

// Delete implements Store.
func (s *SQL) Delete(ctx context.Context, k Kind, id string) error {
	_, err := s.db.ExecContext(ctx, s.del[k], id)
	return err
}

// Fail implements Store: the counter's row is read and written in one
// transaction, locked, so that concurrent failures all count.
func (s *SQL) Fail(ctx context.Context, key string, limit int, window, lockout time.Duration) (n int, err error) {
	if _, err := s.db.ExecContext(ctx, s.thrInsert, key); err != nil {
		return 0, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var exp int64
	if err := tx.QueryRowContext(ctx, s.thrLock, key).Scan(&n, &exp); err != nil {
		return 0, err
	}
	now := time.Now()
	if exp <= now.UnixMilli() {
		n, exp = 0, now.Add(window).UnixMilli()
	}
	n++
	if n == limit {
		exp = now.Add(lockout).UnixMilli()
	}
	if _, err := tx.ExecContext(ctx, s.thrSet, n, exp, key); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// Failures implements Store.
func (s *SQL) Failures(ctx context.Context, key string) (int, error) {
	var n int
	var exp int64
	err := s.db.QueryRowContext(ctx, s.thrRead, key).Scan(&n, &exp)
	if errors.Is(err, sql.ErrNoRows) || err == nil && exp <= time.Now().UnixMilli() {
		return 0, nil
	}
	return n, err
}

// Reset implements Store.
func (s *SQL) Reset(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, s.thrReset, key)
	return err
}

// Close implements Store; the database stays open for its owner.
func (s *SQL) Close() error { return nil }
