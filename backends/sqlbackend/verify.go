package sqlbackend

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// Verify checks that the table and every configured column exist in the
// live database, and that each field's kind fits its column's type, and
// returns an error naming what does not, such as
// `types.product: table "products" has no column "colr" (field color)`.
func (a *Adapter) Verify(ctx context.Context) error {
	if _, err := a.describe(ctx); err != nil {
		return fmt.Errorf("types.%s: %w", a.t.Name, err)
	}
	a.checkTreeIndex(ctx)
	return a.checkUnique(ctx)
}

// columns is what describe read of the table.
type columns struct {
	// parts are the key's columns: whether each holds integers, and
	// their range.
	parts []keyPart
	// ranges bounds the integer fields, by index into a.fields, whose
	// columns hold less than 64 bits.
	ranges map[int]sqldb.IntRange
	// fields holds what each field's column says, by index into a.fields.
	fields []fieldColumn
}

// fieldColumn is what a field's column says about its values.
type fieldColumn struct {
	precision, scale int // a decimal's
	tm               timeMapping
	maxChars         int    // a text column's length limit; 0: none known
	charset          string // MySQL's character set of a text column
}

// describe reads the table's columns, reports the configured ones it
// lacks (with the spelling to use) and the fields whose kind their column
// cannot hold, and tells whether the key column holds integers, the range
// of each integer field and what each field's column keeps.
func (a *Adapter) describe(ctx context.Context) (*columns, error) {
	types, err := a.columnTypes(ctx)
	if err != nil {
		return nil, err
	}
	find, missing := a.matchColumns(types)
	if len(missing) > 0 {
		return nil, errors.New(strings.Join(missing, "; "))
	}
	extras, err := a.columnExtras(ctx)
	if err != nil {
		return nil, err
	}
	cols := &columns{ranges: map[int]sqldb.IntRange{}, fields: make([]fieldColumn, len(a.fields))}
	for _, k := range a.t.KeyParts() {
		cols.parts = append(cols.parts, a.keyPartOf(types[find(k)].DatabaseTypeName()))
	}
	var bad []string
	for i := range a.fields {
		f := &a.fields[i]
		if f.template != nil {
			continue
		}
		ct := types[find(f.column)]
		if r, ok := a.db.ColumnRange(ct.DatabaseTypeName()); ok && f.kind == apos.Integer {
			cols.ranges[i] = r
		}
		fc, why := a.fieldColumn(ctx, i, ct, extras[strings.ToLower(ct.Name())])
		if why != "" {
			bad = append(bad, fmt.Sprintf("fields[%d] (%s): column %q of type %s: %s", i, f.name, ct.Name(), typeName(ct), why))
		}
		cols.fields[i] = fc
	}
	if len(bad) > 0 {
		return nil, errors.New(strings.Join(bad, "; "))
	}
	return cols, nil
}

// columnTypes reads the table's column types from an empty SELECT.
func (a *Adapter) columnTypes(ctx context.Context) ([]*sql.ColumnType, error) {
	rows, err := a.db.QueryContext(ctx, "SELECT * FROM "+a.table+" WHERE 1 = 0", a.db.Uncached()...)
	if err != nil {
		err = a.fail(ctx, err)
		if errors.Is(err, apos.ErrUnavailable) || errors.Is(err, apos.ErrTimeout) {
			return nil, fmt.Errorf("database unreachable: %w", err)
		}
		return nil, fmt.Errorf("table %q cannot be read: %w", a.t.Table, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	return types, nil
}

// matchColumns finds the configured columns among types with the
// engine's rule (docs/api-rules.md#121): PostgreSQL's quoted identifiers
// are case-sensitive, MySQL's and SQLite's column names are not. It
// returns how to find a column's index and the columns missing, each
// with the spelling the table has when one is close.
func (a *Adapter) matchColumns(types []*sql.ColumnType) (find func(string) int, missing []string) {
	same := strings.EqualFold
	if a.db.Engine() == "postgres" {
		same = func(x, y string) bool { return x == y }
	}
	names := make([]string, len(types))
	for i, ct := range types {
		names[i] = ct.Name()
	}
	find = func(name string) int {
		for i, n := range names {
			if same(n, name) {
				return i
			}
		}
		return -1
	}
	need := func(column, role string) {
		if find(column) >= 0 {
			return
		}
		msg := fmt.Sprintf("table %q has no column %q (%s)", a.t.Table, column, role)
		if s := suggest(column, names); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		missing = append(missing, msg)
	}
	for _, k := range a.t.KeyParts() {
		need(k, "key")
	}
	if a.locale != nil {
		need(a.t.Locale.Column, "locale")
	}
	if a.mode != nil {
		need(a.t.Mode.Column, "mode")
	}
	for _, f := range a.fields {
		if f.template == nil {
			need(f.column, "field "+f.name)
		}
		for _, c := range f.template {
			need(c, "template of field "+f.name)
		}
	}
	return find, missing
}

// keyPartOf is what a key column of the type typeName holds.
func (a *Adapter) keyPartOf(typeName string) keyPart {
	p := keyPart{intKey: integerType(typeName)}
	p.keyRange, _ = a.db.ColumnRange(typeName)
	return p
}

// typeName is a column's type for messages.
func typeName(ct *sql.ColumnType) string {
	if n := ct.DatabaseTypeName(); n != "" {
		return n
	}
	return "(none)"
}

// applyColumns sets on the fields and the schema what describe read: the
// range of integer fields whose columns hold less than 64 bits (so that
// the proxy refuses values the column cannot hold, in writes and in
// filters, with a 400 naming the field), decimals' precision and scale,
// how dates and datetimes are kept, and text limits.
func (a *Adapter) applyColumns(cols *columns) {
	for i, r := range cols.ranges {
		a.schema.Fields[i].Min, a.schema.Fields[i].Max = r.Min, r.Max
	}
	for i, fc := range cols.fields {
		f, sf := &a.fields[i], &a.schema.Fields[i]
		if f.template != nil {
			continue
		}
		f.tm, f.maxChars, f.charset = fc.tm, fc.maxChars, fc.charset
		if f.kind == apos.Decimal {
			f.scale = fc.scale
			sf.Precision, sf.Scale = fc.precision, fc.scale
		}
	}
}

// integerType reports whether a column type name, as the drivers spell it
// (INTEGER, INT4, BIGINT, UNSIGNED INT...), holds integers. It follows
// SQLite's affinity rule: a name containing "INT" (but not POINT or
// INTERVAL, which PostgreSQL and MySQL have).
func integerType(name string) bool {
	n := strings.ToUpper(name)
	return strings.Contains(n, "INT") && !strings.Contains(n, "POINT") && !strings.HasPrefix(n, "INTERVAL")
}
