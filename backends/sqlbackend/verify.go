package sqlbackend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// Verify checks that the table and every configured column exist in the
// live database, and returns an error naming what is missing, such as
// `types.product: table "products" has no column "colr" (field color)`.
func (a *Adapter) Verify(ctx context.Context) error {
	if _, err := a.describe(ctx); err != nil {
		return fmt.Errorf("types.%s: %w", a.t.Name, err)
	}
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
}

// describe reads the table's columns, reports the configured ones it
// lacks, and tells whether the key column holds integers and the range of
// each integer field.
func (a *Adapter) describe(ctx context.Context) (*columns, error) {
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
	// PostgreSQL's quoted identifiers are case-sensitive; MySQL's and
	// SQLite's column names are not.
	same := strings.EqualFold
	if a.db.Engine() == "postgres" {
		same = func(x, y string) bool { return x == y }
	}
	find := func(name string) int {
		for i, ct := range types {
			if same(ct.Name(), name) {
				return i
			}
		}
		return -1
	}
	var missing []string
	need := func(column, role string) {
		if find(column) < 0 {
			missing = append(missing, fmt.Sprintf("table %q has no column %q (%s)", a.t.Table, column, role))
		}
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
		need(f.column, "field "+f.name)
	}
	if len(missing) > 0 {
		return nil, errors.New(strings.Join(missing, "; "))
	}
	cols := &columns{ranges: map[int]sqldb.IntRange{}}
	for _, k := range a.t.KeyParts() {
		cols.parts = append(cols.parts, a.keyPartOf(types[find(k)].DatabaseTypeName()))
	}
	for i, f := range a.fields {
		if r, ok := a.db.ColumnRange(types[find(f.column)].DatabaseTypeName()); ok && f.kind == apos.Integer {
			cols.ranges[i] = r
		}
	}
	return cols, nil
}

// keyPartOf is what a key column of the type typeName holds.
func (a *Adapter) keyPartOf(typeName string) keyPart {
	p := keyPart{intKey: integerType(typeName)}
	p.keyRange, _ = a.db.ColumnRange(typeName)
	return p
}

// boundIntegers sets the range of each integer field whose column holds
// less than 64 bits on the schema, so that the proxy refuses values the
// column cannot hold (in writes and in filters) with a 400 naming the
// field, before PostgreSQL's driver fails to encode them, or MySQL
// compares them with values that can never match.
func (a *Adapter) boundIntegers(cols *columns) {
	for i, r := range cols.ranges {
		a.schema.Fields[i].Min, a.schema.Fields[i].Max = r.Min, r.Max
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
