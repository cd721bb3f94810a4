package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"
)

// Rows are the rows of a ReadStmt's query, read into Cells: database/sql's,
// or the raw path's (raw.go), which holds one of its connections until the
// rows are done or closed.
type Rows struct {
	rows *sql.Rows // nil on the raw path
	conn *sql.Conn // the connection rows holds alone, see waitsBounded
	pool *rawPool
	c    *rawConn // nil once released
	st   *rawStmt
	err  error
}

var errRowsClosed = errors.New("sql: Rows are closed")

// QueryRows runs query through database/sql, for statements that are not
// prepared.
func (db *DB) QueryRows(ctx context.Context, query string, args ...any) (*Rows, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return &Rows{rows: rows}, nil
}

// Query runs the statement with args, on the raw path on the terms of
// ReadRow. The rows hold a raw connection until they are done or closed.
func (s *ReadStmt) Query(ctx context.Context, args ...any) (*Rows, error) {
	if s.raw != nil && ctx.Done() == nil && rawArgs(args) {
		if c := s.raw.get(); c != nil {
			if r, ran, err := c.query(s, args); ran {
				s.raw.observed(s.query, args)
				if r == nil {
					s.raw.put(c)
					return nil, err
				}
				r.pool = s.raw
				return r, nil
			}
			s.raw.put(c)
		}
	}
	if s.db.waitsBounded(ctx) {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		rows, err := c.QueryContext(detached{req: ctx}, s.query, args...)
		if err != nil {
			c.Close()
			return nil, err
		}
		return &Rows{rows: rows, conn: c}, nil
	}
	rows, err := s.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	return &Rows{rows: rows}, nil
}

// query binds args to s on c, for Rows to step through. ran is false,
// with nothing bound, when s does not prepare on c or does not take args.
func (c *rawConn) query(s *ReadStmt, args []any) (_ *Rows, ran bool, err error) {
	st, err := c.stmt(s)
	if err != nil || int(sqlite3.Xsqlite3_bind_parameter_count(c.tls, st.p)) != len(args) ||
		int(sqlite3.Xsqlite3_column_count(c.tls, st.p)) != len(st.times) {
		return nil, false, nil
	}
	if err := c.bind(st.p, args); err != nil {
		sqlite3.Xsqlite3_reset(c.tls, st.p)
		return nil, true, err
	}
	return &Rows{c: c, st: st}, true, nil
}

// Next prepares the next row for Scan; false at the end or on an error
// (see Err), which release the raw path's connection.
func (r *Rows) Next() bool {
	if r.rows != nil {
		if r.rows.Next() {
			return true
		}
		r.closeConn()
		return false
	}
	if r.c == nil {
		return false
	}
	switch rc := sqlite3.Xsqlite3_step(r.c.tls, r.st.p); rc {
	case sqlite3.SQLITE_ROW:
		return true
	case sqlite3.SQLITE_DONE:
	default:
		r.err = r.c.errstr(rc)
	}
	r.release()
	return false
}

// Scan reads the current row into dest, which must be Cells on the raw
// path, one per column.
func (r *Rows) Scan(dest ...any) error {
	if r.rows != nil {
		return r.rows.Scan(dest...)
	}
	if r.c == nil {
		return errRowsClosed
	}
	if len(dest) != len(r.st.times) {
		return fmt.Errorf("sql: expected %d destination arguments in Scan, not %d", len(r.st.times), len(dest))
	}
	if !cells(dest) {
		return errors.New("sqldb: the raw read path scans into Cells only")
	}
	r.c.scan(r.st, dest)
	return nil
}

// Err is the error that ended Next, if any.
func (r *Rows) Err() error {
	if r.rows != nil {
		return r.rows.Err()
	}
	return r.err
}

// Close ends the rows early; it is safe to call more than once.
func (r *Rows) Close() error {
	if r.rows != nil {
		err := r.rows.Close()
		r.closeConn()
		return err
	}
	r.release()
	return nil
}

// closeConn gives back the connection the rows held alone, if any, once
// they are closed.
func (r *Rows) closeConn() {
	if r.conn != nil {
		_ = r.conn.Close()
		r.conn = nil
	}
}

// release resets the raw statement, ending its read transaction, and
// returns the connection to the pool.
func (r *Rows) release() {
	if r.c == nil {
		return
	}
	sqlite3.Xsqlite3_reset(r.c.tls, r.st.p)
	r.pool.put(r.c)
	r.c, r.st = nil, nil
}
