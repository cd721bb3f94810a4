package sqlbackend

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// ensureOwnTable creates the table of a store type (config store = true),
// which the proxy owns, when it does not exist yet, and adds the columns
// of fields configured since to it and to its shadow table (store.go).
// Legacy tables never come here. Its key, locale and mode columns are the
// proxy's choice (see config/store.go); each field gets a column of its
// kind's type.
func (a *Adapter) ensureOwnTable(ctx context.Context) error {
	if !a.t.Store {
		return nil
	}
	if _, err := columnNames(ctx, a.db, a.table); err != nil {
		if e := a.db.Classify(ctx, err); e.Class == sqldb.ClassUnavailable || e.Class == sqldb.ClassTimeout {
			return a.fail(ctx, err)
		}
		if _, err := a.db.ExecContext(ctx, a.createOwnTable()); err != nil {
			return fmt.Errorf("creating the store table %s: %w", a.t.Table, err)
		}
		return nil
	}
	for _, table := range []string{a.t.Table, shadowPrefix + a.t.Table} {
		if err := a.addOwnColumns(ctx, table); err != nil {
			return err
		}
	}
	return nil
}

// addOwnColumns adds to the proxy's table named table the columns of the
// fields it lacks; a table that does not exist (yet) is left alone.
func (a *Adapter) addOwnColumns(ctx context.Context, table string) error {
	q := a.db.QuoteName(table)
	have, err := columnNames(ctx, a.db, q)
	if err != nil {
		return nil
	}
	for i := range a.schema.Fields {
		col := a.fields[i].column
		if slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, col) }) {
			continue
		}
		alter := "ALTER TABLE " + q + " ADD COLUMN " + a.fields[i].quoted + " " + ownColumnType(a.db, a.fields[i].kind)
		if _, err := a.db.ExecContext(ctx, alter); err != nil {
			return fmt.Errorf("adding the column %s to the store table %s: %w", col, table, err)
		}
		have = append(have, col)
	}
	return nil
}

// createOwnTable is the CREATE TABLE of a store type's table: one row per
// document, locale and mode, as a columns type keeps them.
func (a *Adapter) createOwnTable() string {
	cols := []string{a.key + " VARCHAR(64) NOT NULL"}
	pk := []string{a.key}
	for _, m := range []*valueMap{a.locale, a.mode} {
		if m != nil {
			cols = append(cols, m.column+" VARCHAR(64) NOT NULL")
			pk = append(pk, m.column)
		}
	}
	seen := map[string]bool{}
	for i := range a.schema.Fields {
		if q := a.fields[i].quoted; !seen[q] {
			seen[q] = true
			cols = append(cols, q+" "+ownColumnType(a.db, a.fields[i].kind))
		}
	}
	cols = append(cols, "PRIMARY KEY ("+strings.Join(pk, ", ")+")")
	return "CREATE TABLE IF NOT EXISTS " + a.table + " (\n  " + strings.Join(cols, ",\n  ") + ")"
}

// ownColumnType is the column type that keeps values of kind k on db's
// engine as the adapter reads and binds them.
func ownColumnType(db *sqldb.DB, k apos.Kind) string {
	sqlite, pg := db.Engine() == "sqlite", db.Engine() == "postgres"
	switch k {
	case apos.Integer:
		if sqlite {
			return "INTEGER"
		}
		return "BIGINT"
	case apos.Float:
		switch {
		case sqlite:
			return "REAL"
		case pg:
			return "DOUBLE PRECISION"
		}
		return "DOUBLE"
	case apos.Boolean:
		if sqlite {
			return "INTEGER"
		}
		return "BOOLEAN"
	case apos.Date:
		if sqlite {
			return "TEXT"
		}
		return "DATE"
	case apos.DateTime:
		switch {
		case sqlite:
			return "TEXT"
		case pg:
			return "TIMESTAMP(3)"
		}
		return "DATETIME(3)"
	}
	return db.LongText() // string, select, json, password
}
