package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"
)

// ReadStmt is a prepared statement that reads one row, such as a
// document by its key. On a SQLite file in WAL mode a read outside any
// transaction goes through the raw read path (raw.go), which spares
// database/sql's and the driver's allocations. On PostgreSQL a read into
// sql.Scanners outside transactions runs through pgx's own API on a
// connection of the pool (pgread.go). On a PostgreSQL pool whose
// connections bound themselves, a read that kept its request's context
// (the pool was busy, see ReadContext) waits for a connection with it and
// runs detached on it (waitsBounded). Everything else goes through the
// embedded *sql.Stmt.
type ReadStmt struct {
	*sql.Stmt
	db    *DB
	raw   *rawPool // nil: database/sql only
	pgx   bool     // PostgreSQL: reads into sql.Scanners go through pgx (pgread.go)
	id    int      // the statement's slot in each raw connection
	query string   // the statement's text, in the engine's placeholders
}

// Cell is a scan destination that the raw read path fills without boxing
// the value into an interface, as sql.Scanner would. Each setter stores
// what Scan stores for the driver's value of that type; SetText copies.
type Cell interface {
	SetNull()
	SetInt(int64)
	SetFloat(float64)
	SetText([]byte)
	SetTime(time.Time)
}

// PrepareRead prepares query, written in the engine's placeholders (see
// Rebind), as a ReadStmt.
func (db *DB) PrepareRead(ctx context.Context, query string) (*ReadStmt, error) {
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s := &ReadStmt{Stmt: st, db: db, query: query, pgx: db.dialect.engine() == "postgres"}
	if db.raw != nil {
		s.raw, s.id = db.raw, int(db.raw.stmts.Add(1)-1)
	}
	return s, nil
}

// ReadRow reads the first row of the statement with args into dest,
// within tx unless it is nil; it returns sql.ErrNoRows when there is none.
// The raw path takes the reads that cannot be canceled (ctx without a
// Done channel, see ReadContext) outside transactions, when every
// argument is a type it binds and every destination a Cell.
func (s *ReadStmt) ReadRow(ctx context.Context, tx *sql.Tx, args, dest []any) error {
	if tx != nil {
		return tx.StmtContext(ctx, s.Stmt).QueryRowContext(ctx, args...).Scan(dest...)
	}
	if s.raw != nil && ctx.Done() == nil && rawArgs(args) && cells(dest) {
		if c := s.raw.get(); c != nil {
			ran, err := c.readRow(s, args, dest)
			s.raw.put(c)
			if ran {
				s.raw.observed(s.query, args)
				return err
			}
		}
	}
	if s.pgx && pgxReads(args, dest) {
		run := ctx
		if s.db.waitsBounded(ctx) {
			run = detached{req: ctx}
		}
		err := s.readPgx(ctx, run, args, dest)
		if !errors.Is(err, errNotPgx) && !errors.Is(err, driver.ErrBadConn) {
			return err
		}
	}
	if s.db.waitsBounded(ctx) {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.QueryRowContext(detached{req: ctx}, s.query, args...).Scan(dest...)
	}
	return s.QueryRowContext(ctx, args...).Scan(dest...)
}

// cells reports whether every destination is a Cell.
func cells(dest []any) bool {
	for _, d := range dest {
		if _, ok := d.(Cell); !ok {
			return false
		}
	}
	return true
}
