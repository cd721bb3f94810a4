package sqladapter

import (
	"github.com/aposproxy/aposproxy/adapters"
)

// field is one API field and the SQL it reads, built once by New.
type field struct {
	name   string
	kind   adapters.Kind
	auto   bool   // set by the proxy: left out of the modified comparison
	column string // as configured
	quoted string // the quoted column
	// key is the field's JSON object key with its colon: `"title":`.
	key []byte
	// fold is the column as lower-case text, for case-insensitive matching.
	fold string
	// asc and desc are the ORDER BY terms; string and select fields sort
	// case-insensitively.
	asc, desc string
}

// newField maps f onto column.
func newField(d dialect, f adapters.Field, column string) field {
	quoted := quoteName(d, column)
	text := quoted
	if f.Kind != adapters.String && f.Kind != adapters.Select {
		text = d.text(quoted)
	}
	sort := quoted
	if f.Kind == adapters.String || f.Kind == adapters.Select {
		sort = "LOWER(" + quoted + ")"
	}
	key := appendJSONString(nil, []byte(f.Name))
	return field{
		name:   f.Name,
		kind:   f.Kind,
		auto:   f.Auto != adapters.AutoNone,
		column: column,
		quoted: quoted,
		key:    append(key, ':'),
		fold:   "LOWER(" + text + ")",
		asc:    sort + " ASC" + d.nulls(false),
		desc:   sort + " DESC" + d.nulls(true),
	}
}

// valueMap turns the API's values of a locale or mode into the backend's:
// values the configuration lists are mapped, other values pass unchanged,
// except backend values that the configuration maps to something else.
type valueMap struct {
	column string // quoted
	toDB   map[string]string
	taken  map[string]bool
}

// newValueMap inverts a config.ValueMap's backend-to-API values.
func newValueMap(column string, values map[string]string) *valueMap {
	m := &valueMap{column: column, toDB: map[string]string{}, taken: map[string]bool{}}
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
func (m *valueMap) db(v string) (string, bool) {
	if b, ok := m.toDB[v]; ok {
		return b, true
	}
	return v, !m.taken[v]
}

// column is one rendered field of a row: the field's index in the
// adapter's fields and the index of the cell it is scanned into.
type column struct{ field, cell int }

// view lists the columns to render, in output order.
type view []column

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
