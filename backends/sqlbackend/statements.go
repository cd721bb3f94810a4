package sqlbackend

import (
	"context"
	"database/sql"
	"sync"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// maxStatements bounds the prepared statements one adapter caches; a query
// shape past it runs unprepared. IN lists are padded to powers of two so
// that shapes stay few.
const maxStatements = 256

// statements caches prepared statements by their SQL text, written with ?
// placeholders. The text is assembled per request from fragments that New
// built; looking it up allocates nothing, and a hit skips the rebind and
// the engine's parse.
type statements struct {
	db  *sqldb.DB
	max int // the most statements kept
	mu  sync.RWMutex
	m   map[string]*sqldb.ReadStmt
}

// query runs the statement text with args, preparing and caching it on
// first use.
func (s *statements) query(ctx context.Context, text []byte, args []any) (*sql.Rows, error) {
	st, err := s.get(ctx, text)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.db.QueryContext(ctx, s.db.Rebind(string(text)), args...)
	}
	return st.QueryContext(ctx, args...)
}

// cells is query for rows scanned into cells only, which SQLite's raw
// read path can serve (sqldb.ReadStmt.Query).
func (s *statements) cells(ctx context.Context, text []byte, args []any) (*sqldb.Rows, error) {
	st, err := s.get(ctx, text)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.db.QueryRows(ctx, s.db.Rebind(string(text)), args...)
	}
	return st.Query(ctx, args...)
}

// get is the statement text, prepared on first use; nil when the cache is
// full.
func (s *statements) get(ctx context.Context, text []byte) (*sqldb.ReadStmt, error) {
	s.mu.RLock()
	st := s.m[string(text)]
	s.mu.RUnlock()
	if st != nil {
		return st, nil
	}
	return s.prepare(ctx, text)
}

// prepare prepares text and caches it. It returns nil, without error, when
// the cache is full. Preparing happens outside the lock, so that a slow
// engine does not hold up the statements already cached.
func (s *statements) prepare(ctx context.Context, text []byte) (*sqldb.ReadStmt, error) {
	s.mu.RLock()
	full := len(s.m) >= s.max
	s.mu.RUnlock()
	if full {
		return nil, nil
	}
	st, err := s.db.PrepareRead(ctx, s.db.Rebind(string(text)))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.m[string(text)]; old != nil || len(s.m) >= s.max {
		st.Close()
		return old, nil
	}
	if s.m == nil {
		s.m = map[string]*sqldb.ReadStmt{}
	}
	s.m[string(text)] = st
	return st, nil
}
