package sqldb

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// IntRanges returns the range of each parameter of st that the engine
// binds as an integer narrower than 64 bits, so that a caller can refuse
// a value outside it, naming the parameter. PostgreSQL types each
// parameter when it prepares the statement (:id compared with an INTEGER
// column is an int4), and its driver cannot send a larger value. MySQL
// and SQLite take any integer: none.
func (db *DB) IntRanges(ctx context.Context, st *Statement) (map[string]IntRange, error) {
	if _, ok := db.dialect.(postgresDialect); !ok {
		return nil, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ranges := map[string]IntRange{}
	err = conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", driverConn)
		}
		sd, err := c.Conn().PgConn().Prepare(ctx, "", st.text, nil)
		if err != nil {
			return err
		}
		// PostgreSQL's $n is the statement's n-th distinct parameter.
		for i, oid := range sd.ParamOIDs {
			if r, ok := pgParamRanges[oid]; ok && i < len(st.binds) {
				ranges[st.binds[i]] = r
			}
		}
		return nil
	})
	return ranges, err
}

// pgParamRanges are the parameter types of PostgreSQL narrower than int8.
var pgParamRanges = map[uint32]IntRange{
	pgtype.Int2OID: postgresRanges["INT2"],
	pgtype.Int4OID: postgresRanges["INT4"],
}

// IntRange is the values an integer column or parameter holds; the zero
// IntRange holds any int64.
type IntRange struct{ Min, Max int64 }

// Holds reports whether n is in r.
func (r IntRange) Holds(n int64) bool { return r == IntRange{} || n >= r.Min && n <= r.Max }

// The ranges of the integer column types narrower than 64 bits, as the
// drivers spell them: pgx (PostgreSQL) and go-sql-driver (MySQL, MariaDB).
// SQLite keeps every integer in 64 bits, whatever its declared type.
var (
	postgresRanges = map[string]IntRange{
		"INT2": {math.MinInt16, math.MaxInt16},
		"INT4": {math.MinInt32, math.MaxInt32},
	}
	mysqlRanges = map[string]IntRange{
		"TINYINT": {math.MinInt8, math.MaxInt8}, "UNSIGNED TINYINT": {0, math.MaxUint8},
		"SMALLINT": {math.MinInt16, math.MaxInt16}, "UNSIGNED SMALLINT": {0, math.MaxUint16},
		"MEDIUMINT": {-1 << 23, 1<<23 - 1}, "UNSIGNED MEDIUMINT": {0, 1<<24 - 1},
		"INT": {math.MinInt32, math.MaxInt32}, "UNSIGNED INT": {0, math.MaxUint32},
		"UNSIGNED BIGINT": {0, math.MaxInt64},
	}
)

// ColumnRange returns the range of an integer column type of the engine,
// as its driver spells the type; ok is false for a type that holds any
// int64, or no integers.
func (db *DB) ColumnRange(typeName string) (r IntRange, ok bool) {
	switch db.dialect.(type) {
	case postgresDialect:
		r, ok = postgresRanges[strings.ToUpper(typeName)]
	case mysqlDialect:
		r, ok = mysqlRanges[strings.ToUpper(typeName)]
	}
	return r, ok
}
