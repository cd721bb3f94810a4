package sqldb

import (
	"context"
	"strings"
)

// leadQueries list, per engine, the first column of each index of a
// table (the primary key's among them): the columns an equality lookup
// can find rows by without scanning the table. The arguments are those
// of uniqueQueries.
var leadQueries = map[string]string{
	"sqlite": `SELECT name FROM pragma_table_info(?) WHERE pk = 1
		UNION ALL
		SELECT ii.name FROM pragma_index_list(?) il, pragma_index_info(il.name) ii
		WHERE ii.seqno = 0 AND il.partial = 0`,
	"postgres": `SELECT a.attname FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE i.indrelid = to_regclass(?) AND i.indpred IS NULL`,
	"mysql": `SELECT COLUMN_NAME FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND SEQ_IN_INDEX = 1`,
}

// Indexed reports whether some index of table (the primary key
// included) starts with column. ok is false when the engine could not
// tell.
func (db *DB) Indexed(ctx context.Context, table, column string) (indexed, ok bool) {
	rows, err := db.QueryContext(ctx, db.Rebind(leadQueries[db.Engine()]), db.tableArgs(table)...)
	if err != nil {
		return false, false
	}
	defer rows.Close()
	for rows.Next() {
		var name *string
		if err := rows.Scan(&name); err != nil {
			return false, false
		}
		if name != nil && strings.EqualFold(*name, column) {
			return true, true
		}
	}
	return false, rows.Err() == nil
}
