package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// uniqueQueries list, per engine, the unique indexes (the primary key
// among them) of a table as rows of (index, column); a partial index or
// one over an expression is left out (its column reads NULL). The one
// argument is the table's name as the configuration spells it (a
// PostgreSQL name may be schema-qualified).
var uniqueQueries = map[string]string{
	"sqlite": `SELECT '', name FROM pragma_table_info(?) WHERE pk > 0
		UNION ALL
		SELECT il.name, ii.name FROM pragma_index_list(?) il, pragma_index_info(il.name) ii
		WHERE il."unique" = 1 AND il.partial = 0`,
	"postgres": `SELECT CAST(i.indexrelid AS TEXT), a.attname FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL`,
	"mysql": `SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0 AND SUB_PART IS NULL`,
}

// tableArgs are the values that name table in the catalog queries of
// UniqueKeys and Indexed: the name twice on SQLite (its pragma functions),
// the quoted name on PostgreSQL (a regclass), schema and name on MySQL
// (no schema: the connection's database).
func (db *DB) tableArgs(table string) []any {
	switch db.Engine() {
	case "sqlite":
		return []any{table, table}
	case "postgres":
		return []any{db.QuoteName(table)}
	}
	if schema, name, ok := strings.Cut(table, "."); ok {
		return []any{schema, name}
	}
	return []any{nil, table}
}

// UniqueKeys returns the column sets that the table's primary key and
// unique indexes make unique. None (a view, a table without keys) means
// the engine cannot tell.
func (db *DB) UniqueKeys(ctx context.Context, table string) ([][]string, error) {
	rows, err := db.QueryContext(ctx, db.Rebind(uniqueQueries[db.Engine()]), db.tableArgs(table)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sets, order := map[string][]string{}, []string{}
	for rows.Next() {
		var index string
		var column sql.NullString
		if err := rows.Scan(&index, &column); err != nil {
			return nil, err
		}
		if _, seen := sets[index]; !seen {
			order = append(order, index)
		}
		sets[index] = append(sets[index], column.String)
	}
	var out [][]string
	for _, index := range order {
		if cols := sets[index]; !containsEmpty(cols) {
			out = append(out, cols)
		}
	}
	return out, rows.Err()
}

func containsEmpty(cols []string) bool {
	for _, c := range cols {
		if c == "" {
			return true
		}
	}
	return false
}

// NextMax returns one more than the largest value of the integer column
// key (quoted) of table (quoted), 1 for an empty table, within tx, and
// locks so that no other transaction gets the same value before tx ends:
// PostgreSQL locks the table against writers; a SQLite transaction
// already began as the one writer (BEGIN IMMEDIATE); MySQL's gap locks
// would let two such transactions read the same maximum and deadlock on
// their inserts, so a named lock (GET_LOCK) serializes them, and the
// locking read waits for a row another transaction inserted and has not
// committed yet. Call EndMax before tx commits or rolls back.
func (db *DB) NextMax(ctx context.Context, tx *sql.Tx, table, key string) (int64, error) {
	text := "SELECT COALESCE(MAX(" + key + "), 0) + 1 FROM " + table
	switch db.Engine() {
	case "postgres":
		if _, err := tx.ExecContext(ctx, "LOCK TABLE "+table+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return 0, err
		}
	case "mysql":
		var got sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", maxLock(table), maxLockWait).Scan(&got); err != nil {
			return 0, err
		}
		if got.Int64 != 1 {
			return 0, errMaxLock
		}
		text += " FOR UPDATE"
	}
	var n int64
	err := tx.QueryRowContext(ctx, text).Scan(&n)
	return n, err
}

// EndMax releases what NextMax took beyond tx's own locks (MySQL's named
// lock, which belongs to the connection, not the transaction).
func (db *DB) EndMax(ctx context.Context, tx *sql.Tx, table string) {
	if db.Engine() == "mysql" {
		_, _ = tx.ExecContext(context.WithoutCancel(ctx), "DO RELEASE_LOCK(?)", maxLock(table))
	}
}

// maxLockWait is how long, in seconds, a MySQL max+1 insert waits for
// the others.
const maxLockWait = 10

var errMaxLock = errors.New("the lock of new_keys max+1 was not granted in time")

// maxLock names the MySQL lock of max+1 keys of table (at most 64
// characters, as MySQL requires).
func maxLock(table string) string {
	name := "aposproxy_max:" + table
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// errNoSequences: only PostgreSQL's sequences are supported.
var errNoSequences = errors.New(`new_keys "sequence" needs PostgreSQL`)

// NextVal returns the next value of the sequence named seq (as
// PostgreSQL resolves a name: possibly schema-qualified) within tx.
func (db *DB) NextVal(ctx context.Context, tx *sql.Tx, seq string) (int64, error) {
	if db.Engine() != "postgres" {
		return 0, errNoSequences
	}
	var n int64
	err := tx.QueryRowContext(ctx, "SELECT nextval(CAST($1 AS regclass))", seq).Scan(&n)
	return n, err
}

// CheckSequence reports whether seq names a sequence the database has.
func (db *DB) CheckSequence(ctx context.Context, seq string) error {
	if db.Engine() != "postgres" {
		return errNoSequences
	}
	var ok bool
	err := db.QueryRowContext(ctx, "SELECT to_regclass($1) IS NOT NULL", seq).Scan(&ok)
	if err == nil && !ok {
		err = errors.New("no sequence named " + seq)
	}
	return err
}
