package introspect

import (
	"context"
	"database/sql"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// sqliteEngine reads sqlite_master and the table_info and
// foreign_key_list pragmas.
type sqliteEngine struct{}

func (sqliteEngine) tables(ctx context.Context, db *sqldb.DB) ([]string, error) {
	return strings1(ctx, db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
}

func (sqliteEngine) describe(ctx context.Context, db *sqldb.DB, t *Table) error {
	rows, err := db.QueryContext(ctx, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)", t.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	pk := map[int]string{}
	for rows.Next() {
		var c Column
		var def sql.NullString
		var pos int
		if err := rows.Scan(&c.Name, &c.Type, &c.NotNull, &def, &pos); err != nil {
			return err
		}
		c.Type, c.Default = strings.ToLower(c.Type), def.Valid
		if pos > 0 {
			pk[pos] = c.Name
		}
		t.Columns = append(t.Columns, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := 1; i <= len(pk); i++ {
		t.PrimaryKey = append(t.PrimaryKey, pk[i])
	}
	// A lone INTEGER PRIMARY KEY is the rowid: the database numbers it.
	if len(t.PrimaryKey) == 1 {
		for i, c := range t.Columns {
			if c.Name == t.PrimaryKey[0] && c.Type == "integer" {
				t.Columns[i].AutoIncr = true
			}
		}
	}
	return sqliteForeignKeys(ctx, db, t)
}

func sqliteForeignKeys(ctx context.Context, db *sqldb.DB, t *Table) error {
	rows, err := db.QueryContext(ctx, "SELECT id, \"table\", \"from\", COALESCE(\"to\", '') FROM pragma_foreign_key_list(?) ORDER BY id, seq", t.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	byName := map[string]int{}
	for rows.Next() {
		var id, ref, from, to string
		if err := rows.Scan(&id, &ref, &from, &to); err != nil {
			return err
		}
		if to == "" { // REFERENCES t without a column: t's primary key
			to = "id"
		}
		addForeignKey(t, byName, id, from, ref, to)
	}
	return rows.Err()
}

// postgresEngine reads information_schema and pg_catalog, in the
// connection's current schema.
type postgresEngine struct{}

func (postgresEngine) tables(ctx context.Context, db *sqldb.DB) ([]string, error) {
	return strings1(ctx, db, `SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
}

func (postgresEngine) describe(ctx context.Context, db *sqldb.DB, t *Table) error {
	err := scanColumns(ctx, db, t, `SELECT column_name,
  CASE WHEN data_type = 'USER-DEFINED' THEN udt_name ELSE data_type END,
  is_nullable = 'NO', column_default IS NOT NULL OR is_identity = 'YES',
  COALESCE(column_default, '') LIKE 'nextval(%' OR is_identity = 'YES'
FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?
ORDER BY ordinal_position`)
	if err != nil {
		return err
	}
	if t.PrimaryKey, err = strings1(ctx, db, `SELECT a.attname FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE i.indisprimary AND n.nspname = current_schema() AND c.relname = ? ORDER BY k.ord`, t.Name); err != nil {
		return err
	}
	return scanForeignKeys(ctx, db, t, `SELECT c.conname, a.attname, cf.relname, af.attname FROM pg_constraint c
JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
JOIN pg_class cf ON cf.oid = c.confrelid
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, fcol, ord)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = k.fcol
WHERE c.contype = 'f' AND n.nspname = current_schema() AND cl.relname = ? ORDER BY c.conname, k.ord`)
}

// mysqlEngine reads information_schema, in the connection's database.
type mysqlEngine struct{}

func (mysqlEngine) tables(ctx context.Context, db *sqldb.DB) ([]string, error) {
	return strings1(ctx, db, `SELECT TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`)
}

func (mysqlEngine) describe(ctx context.Context, db *sqldb.DB, t *Table) error {
	err := scanColumns(ctx, db, t, `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE = 'NO',
  COLUMN_DEFAULT IS NOT NULL OR EXTRA LIKE '%auto_increment%', EXTRA LIKE '%auto_increment%'
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION`)
	if err != nil {
		return err
	}
	if t.PrimaryKey, err = strings1(ctx, db, `SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`, t.Name); err != nil {
		return err
	}
	return scanForeignKeys(ctx, db, t, `SELECT CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION`)
}

// scanColumns reads t's columns from a query on its name whose rows are
// name, type, not null, has a default, auto increment.
func scanColumns(ctx context.Context, db *sqldb.DB, t *Table, query string) error {
	rows, err := db.QueryContext(ctx, db.Rebind(query), t.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type, &c.NotNull, &c.Default, &c.AutoIncr); err != nil {
			return err
		}
		c.Type = strings.ToLower(c.Type)
		t.Columns = append(t.Columns, c)
	}
	return rows.Err()
}

// scanForeignKeys reads t's foreign keys from a query on its name whose
// rows are constraint, column, referenced table, referenced column.
func scanForeignKeys(ctx context.Context, db *sqldb.DB, t *Table, query string) error {
	rows, err := db.QueryContext(ctx, db.Rebind(query), t.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	byName := map[string]int{}
	for rows.Next() {
		var name, col, ref, refCol string
		if err := rows.Scan(&name, &col, &ref, &refCol); err != nil {
			return err
		}
		addForeignKey(t, byName, name, col, ref, refCol)
	}
	return rows.Err()
}
