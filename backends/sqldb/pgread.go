package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL a single-row read whose destinations are sql.Scanners (as
// sqlbackend's cells are) runs on the pool's connection through pgx's own
// API (sql.Conn.Raw): pgx's Query and Scan instead of database/sql's
// statement, rows and value conversion, and of pgx's database/sql driver,
// which plans a value function per column on every query. It asks for the
// result formats the driver asks for, and each destination receives what
// it would have received through database/sql (TestPostgresReadParity): pgx
// decodes a value for a sql.Scanner with the same codecs, with plans kept
// on the connection (pgplans.go). Against the benchmark's bare handler,
// which reads through database/sql, GET one went from 0.88 to about 0.96
// (docs/architecture.md#deadlines).

// postgresResultFormats are the result formats of pgx's database/sql
// driver (stdlib's databaseSQLResultFormats): binary for these types,
// text for the others.
var postgresResultFormats = pgx.QueryResultFormatsByOID{
	pgtype.BoolOID: 1, pgtype.ByteaOID: 1, pgtype.CIDOID: 1, pgtype.DateOID: 1,
	pgtype.Float4OID: 1, pgtype.Float8OID: 1, pgtype.Int2OID: 1, pgtype.Int4OID: 1,
	pgtype.Int8OID: 1, pgtype.OIDOID: 1, pgtype.TimestampOID: 1, pgtype.TimestamptzOID: 1,
	pgtype.XIDOID: 1,
}

// maxPgxArgs bounds the arguments of a read through pgx, kept on the
// stack.
const maxPgxArgs = 31

// errNotPgx says a read cannot go through pgx: database/sql runs it.
var errNotPgx = errors.New("sqldb: not a pgx read")

// pgxReads reports whether a read with args into dest can go through pgx.
func pgxReads(args, dest []any) bool {
	if len(args) > maxPgxArgs {
		return false
	}
	for _, d := range dest {
		if _, ok := d.(sql.Scanner); !ok {
			return false
		}
	}
	return true
}

// readPgx reads the first row of s with args into dest on a connection
// taken with ctx (the wait for it ends with ctx), running the statement
// with run. It returns errNotPgx, or driver.ErrBadConn for a connection
// that broke before the statement ran (which database/sql then discards),
// when database/sql must run the read instead.
func (s *ReadStmt) readPgx(ctx, run context.Context, args, dest []any) error {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errNotPgx
		}
		var buf [maxPgxArgs + 1]any
		rows, err := sc.Conn().Query(run, s.query, append(append(buf[:0], postgresResultFormats), args...)...)
		if err != nil {
			if pgconn.SafeToRetry(err) {
				return driver.ErrBadConn
			}
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return sql.ErrNoRows
		}
		if err := s.scanRow(sc.Conn(), rows, dest); err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
}
