// Package introspect reads the schema of an existing SQL database (its
// tables, primary keys, columns, types and foreign keys) on SQLite,
// PostgreSQL and MySQL/MariaDB, and writes a starting aposproxy
// configuration from it (`aposproxy introspect`): one type per table, its
// key, its fields with their kinds, locale and mode columns guessed by
// name with `# review:` comments, and foreign keys as `# relationship:`
// comments. The file is a start to review, not a finished mapping.
package introspect

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// Table is one table as the database describes it.
type Table struct {
	Name        string
	Columns     []Column
	PrimaryKey  []string // in key order; empty when the table has none
	ForeignKeys []ForeignKey
}

// Column is one column of a table.
type Column struct {
	Name string
	// Type is the engine's type name, lower case (integer, varchar(32),
	// tinyint(1), timestamp without time zone...).
	Type     string
	NotNull  bool
	Default  bool // has a default, or is filled in by the database (identity, auto increment)
	AutoIncr bool
}

// ForeignKey is one foreign key: Columns of the table refer to RefColumns
// of RefTable.
type ForeignKey struct {
	Columns    []string
	RefTable   string
	RefColumns []string
}

// engine reads one engine's catalog.
type engine interface {
	tables(ctx context.Context, db *sqldb.DB) ([]string, error)
	describe(ctx context.Context, db *sqldb.DB, t *Table) error
}

// Read reads the tables of db (those named in only, in that order, or
// every table of the database or schema, by name), skipping the tables
// the proxy owns (aposproxy_*).
func Read(ctx context.Context, db *sqldb.DB, only []string) ([]*Table, error) {
	e, err := engineOf(db.Engine())
	if err != nil {
		return nil, err
	}
	names, err := e.tables(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("listing the tables: %w", err)
	}
	if len(only) > 0 {
		for _, n := range only {
			if !slices.Contains(names, n) {
				return nil, fmt.Errorf("no table %q in the database", n)
			}
		}
		names = only
	}
	var out []*Table
	for _, n := range names {
		if strings.HasPrefix(n, "aposproxy_") {
			continue
		}
		t := &Table{Name: n}
		if err := e.describe(ctx, db, t); err != nil {
			return nil, fmt.Errorf("table %s: %w", n, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func engineOf(name string) (engine, error) {
	switch name {
	case "sqlite":
		return sqliteEngine{}, nil
	case "postgres":
		return postgresEngine{}, nil
	case "mysql":
		return mysqlEngine{}, nil
	}
	return nil, fmt.Errorf("no introspection for engine %q", name)
}

// strings1 runs a query whose rows are one text column.
func strings1(ctx context.Context, db *sqldb.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, db.Rebind(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// addForeignKey adds column col's reference to refTable.refCol to t,
// grouped by the constraint's name (or id).
func addForeignKey(t *Table, byName map[string]int, name, col, refTable, refCol string) {
	i, ok := byName[name]
	if !ok {
		i = len(t.ForeignKeys)
		byName[name] = i
		t.ForeignKeys = append(t.ForeignKeys, ForeignKey{RefTable: refTable})
	}
	fk := &t.ForeignKeys[i]
	fk.Columns = append(fk.Columns, col)
	fk.RefColumns = append(fk.RefColumns, refCol)
}
