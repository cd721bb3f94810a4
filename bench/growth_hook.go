package main

import (
	"context"
	"database/sql/driver"
	"strings"
	"sync"
	"sync/atomic"
)

// recorder counts the statements sent through the connectors it wraps
// (sqldb.Hook) and, while armed, keeps their text and arguments, so that
// the growth run can say how many statements a request costs and ask the
// engine for their plans.
type recorder struct {
	n     atomic.Int64
	mu    sync.Mutex
	armed bool
	log   []statement
}

// statement is one execution: its text and its arguments.
type statement struct {
	query string
	args  []any
}

func (r *recorder) wrap(c driver.Connector) driver.Connector { return recConnector{c, r} }

// start arms the recorder and returns the count so far.
func (r *recorder) start() int64 {
	r.mu.Lock()
	r.armed, r.log = true, nil
	r.mu.Unlock()
	return r.n.Load()
}

// stop disarms it and returns the statements run since start.
func (r *recorder) stop() []statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.armed = false
	return r.log
}

func (r *recorder) record(query string, args []driver.NamedValue) {
	values := make([]any, len(args))
	for i, a := range args {
		values[i] = a.Value
	}
	r.recordRaw(query, values)
}

// recordRaw records a statement of SQLite's raw read path (sqldb.RawHook),
// which does not go through the driver's connections.
func (r *recorder) recordRaw(query string, args []any) {
	r.n.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.armed {
		r.log = append(r.log, statement{query: query, args: append([]any(nil), args...)})
	}
}

type recConnector struct {
	driver.Connector
	r *recorder
}

func (c recConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &recConn{conn, c.r}, nil
}

// recConn records every statement its connection runs, prepared or not.
type recConn struct {
	driver.Conn
	r *recorder
}

func (c *recConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &recStmt{st, query, c.r}, nil
}

// QueryContext and ExecContext record and pass on the statements the
// driver runs without preparing them (pgx's simple protocol, asked for by
// an argument that only its own NamedValueChecker accepts).
func (c *recConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(ctx, query, args)
	if err != driver.ErrSkip {
		c.r.record(query, args)
	}
	return rows, err
}

func (c *recConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := e.ExecContext(ctx, query, args)
	if err != driver.ErrSkip {
		c.r.record(query, args)
	}
	return res, err
}

func (c *recConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (c *recConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	//lint:ignore SA1019 the fallback database/sql itself uses
	return c.Conn.Begin()
}

type recStmt struct {
	driver.Stmt
	query string
	r     *recorder
}

func (s *recStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.r.record(s.query, args)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *recStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.r.record(s.query, args)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// isRead says whether a statement only reads, so that it may be explained.
func (st statement) isRead() bool {
	q := strings.TrimSpace(strings.ToUpper(st.query))
	return strings.HasPrefix(q, "SELECT") || strings.HasPrefix(q, "WITH")
}
