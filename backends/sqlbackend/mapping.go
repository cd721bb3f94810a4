package sqlbackend

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// mapType builds what a's SQL needs from its type's configuration.
func (a *Adapter) mapType(opts Options) error {
	t, db := a.t, a.db
	a.table = db.QuoteName(t.Table)
	a.alias = a.table
	a.mapKey()
	a.randomKey = t.NewKeys == "random"
	switch a.schema.Storage {
	case apos.Columns:
		if t.Mode.Column == "" {
			return errors.New(`storage "columns" needs a mode column`)
		}
		a.mode = newValueMap(db.QuoteName(t.Mode.Column), t.Mode.Values)
	case apos.Autopublish:
	case apos.Overlay:
		if t.Mode.Column != "" || t.Locale.Column != "" || !a.schema.Localized {
			return errors.New(`storage "overlay" needs a localized type without locale and mode columns`)
		}
	default:
		return fmt.Errorf("storage %q is not supported by SQL types", a.schema.Storage)
	}
	if a.schema.Localized {
		switch {
		case t.Locale.Column != "":
			a.locale = newValueMap(db.QuoteName(t.Locale.Column), t.Locale.Values)
		case opts.DefaultLocale == "":
			return errors.New("a localized type without a locale column needs the default locale")
		}
		a.defaultLocale = opts.DefaultLocale
	}
	cols := []string{a.key}
	a.byName = map[string]int{}
	for i, f := range a.schema.Fields {
		a.fields = append(a.fields, newField(db, f, t.Fields[i].Column, t.Fields[i].Template))
		a.fields[i].asAttachment(&t.Fields[i])
		a.byName[f.Name] = i
		cols = append(cols, a.fields[i].quoted)
	}
	a.columns = strings.Join(cols, ", ")
	for i := range cols {
		cols[i] += " AS c" + strconv.Itoa(i)
	}
	a.columnsAs = strings.Join(cols, ", ")
	a.all = fullView(a.fields, func(f *field) bool { return !f.secret })
	a.compare = fullView(a.fields, func(f *field) bool { return !f.auto && !f.secret })
	a.scope = scopeConds(a.locale, a.mode)
	a.mapSince()
	return nil
}

// scopeConds is the WHERE conditions on the locale and mode columns, one
// placeholder each, or "1 = 1" when there are none.
func scopeConds(locale, mode *valueMap) string {
	var conds []string
	for _, m := range []*valueMap{locale, mode} {
		if m != nil {
			conds = append(conds, m.column+" = ?")
		}
	}
	if len(conds) == 0 {
		return "1 = 1"
	}
	return strings.Join(conds, " AND ")
}

// field is one API field and the SQL it reads, built once by New.
type field struct {
	name   string
	kind   apos.Kind
	auto   bool   // set by the proxy: left out of the modified comparison
	secret bool   // written, never rendered (a password hash)
	column string // as configured
	quoted string // the quoted column
	// key is the field's JSON object key with its colon: `"title":`.
	key []byte
	// fold is the column as lower-case text, for case-insensitive matching.
	fold string
	// sort is the expression the field sorts by (string and select fields
	// sort case-insensitively), asc and desc the directions that follow
	// it in an ORDER BY term.
	sort, asc, desc string
	// template lists the columns a computed field reads; its quoted is
	// then the SQL expression that computes it (docs/api-rules.md#125).
	template []string
	// scale is a decimal field's digits after the point.
	scale int
	// tm says how a date or datetime field's column keeps time.
	tm timeMapping
	// maxChars is the most characters the column keeps (0: no limit
	// known), charset MySQL's character set of a text column.
	maxChars int
	charset  string
	// attachID says the column keeps an attachment's _id (attachment.go).
	attachID bool
}

// newField maps f onto column, or onto the expression of a template.
func newField(db *sqldb.DB, f apos.Field, column, template string) field {
	quoted := db.QuoteName(column)
	var cols []string
	if template != "" {
		quoted, cols = templateExpr(db, template)
	}
	text, sort := db.CastText(quoted), quoted
	if f.Kind == apos.String || f.Kind == apos.Select {
		text, sort = quoted, "LOWER("+quoted+")"
	}
	key := appendJSONString(nil, []byte(f.Name))
	return field{
		name:   f.Name,
		kind:   f.Kind,
		auto:   f.Auto != apos.AutoNone,
		secret: f.WriteOnly(),
		column: column,
		quoted: quoted,
		key:    append(key, ':'),
		fold:   "LOWER(" + text + ")",
		sort:   sort,
		asc:    " ASC" + db.Nulls(false),
		desc:   " DESC" + db.Nulls(true),

		template: cols,
		tm:       timeMapping{loc: time.UTC, frac: -1},
	}
}

// valueMap turns the API's values of a locale or mode into the backend's:
// values the configuration lists are mapped, other values pass unchanged,
// except backend values that the configuration maps to something else.
type valueMap struct {
	column string // quoted
	// toDB holds the listed values, ready to bind: boxed once, so that
	// binding them allocates nothing.
	toDB  map[string]any
	taken map[string]bool
}

// newValueMap inverts a config.ValueMap's backend-to-API values.
func newValueMap(column string, values map[string]string) *valueMap {
	m := &valueMap{column: column, toDB: map[string]any{}, taken: map[string]bool{}}
	for db, api := range values {
		m.toDB[api] = db
		if db != api {
			m.taken[db] = true
		}
	}
	return m
}

// db returns the backend value of the API value v; ok is false when no
// backend value maps to v.
func (m *valueMap) db(v string) (_ any, ok bool) {
	if b, ok := m.toDB[v]; ok {
		return b, true
	}
	return boxed(v), !m.taken[v]
}

// column is one rendered field of a row: the field's index in the
// adapter's fields and the index of the cell it is scanned into.
type column struct{ field, cell int }

// view lists the columns to render, in output order.
type view []column

// cellOf is the cell that field i is read into, -1 when v does not read it.
func (v view) cellOf(i int) int {
	for _, c := range v {
		if c.field == i {
			return c.cell
		}
	}
	return -1
}

// fullView renders every field from a row that selects the key and then
// all fields in order; keep says which fields to render.
func fullView(fields []field, keep func(*field) bool) view {
	var v view
	for i := range fields {
		if keep(&fields[i]) {
			v = append(v, column{field: i, cell: i + 1})
		}
	}
	return v
}
