package sqlbackend

import (
	"context"
	"fmt"

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
	conn, err := db.x.Conn(ctx)
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
