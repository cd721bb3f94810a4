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
	get, put, del          map[Kind]string
	sweep                  map[Kind]string
	thrRead, thrReadLocked string
	thrLock, thrSet        string
	thrRelease, thrReset   string
	lastSweep              atomic.Int64 // Unix ms of the last removal of expired rows
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
	s.thrReadLocked = s.thrRead + db.ForUpdate()
	s.thrLock = db.Rebind(lockRow(db.Engine(), throttle))
	s.thrSet = db.Rebind("UPDATE " + throttle + " SET failures = ?, expires = ? WHERE id = ?")
	s.thrRelease = db.Rebind("UPDATE " + throttle + " SET failures = failures - 1 WHERE id = ? AND failures > 0")
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

// lockRow creates a counter's row when it is missing and, either way,
// locks it until the end of the transaction: an upsert that changes
// nothing still takes the row's write lock (SQLite's transactions hold
// the database's).
func lockRow(engine, table string) string {
	q := "INSERT INTO " + table + " (id, failures, expires) VALUES (?, 0, 0)"
	if engine == "mysql" {
		return q + " ON DUPLICATE KEY UPDATE failures = failures"
	}
	return q + " ON CONFLICT (id) DO UPDATE SET failures = " + table + ".failures"
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

// Reserve implements Store: the counter's row is created or locked, read
// and written in one transaction, so that concurrent reservations and
// resets wait for each other.
func (s *SQL) Reserve(ctx context.Context, key string, limit int, window, lockout time.Duration) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	if _, err := tx.ExecContext(ctx, s.thrLock, key); err != nil {
		return false, err
	}
	var n int
	var exp int64
	if err := tx.QueryRowContext(ctx, s.thrReadLocked, key).Scan(&n, &exp); err != nil {
		return false, err
	}
	n, exp, ok := reserve(n, exp, time.Now(), limit, window, lockout)
	if !ok {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, s.thrSet, n, exp, key); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// reserve counts one more failure on a counter of n that lasts until exp
// (Unix ms), unless it holds limit already. A counter past exp starts a
// new window; the failure that reaches limit makes it last lockout.
func reserve(n int, exp int64, now time.Time, limit int, window, lockout time.Duration) (int, int64, bool) {
	if exp <= now.UnixMilli() {
		n, exp = 0, now.Add(window).UnixMilli()
	}
	if n >= limit {
		return n, exp, false
	}
	n++
	if n == limit {
		exp = now.Add(lockout).UnixMilli()
	}
	return n, exp, true
}

// Release implements Store.
func (s *SQL) Release(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, s.thrRelease, key)
	return err
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
