package sqlbackend

import (
	"strings"
	"sync"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// builder accumulates the SQL text (with ? placeholders) and arguments of
// one list, count or distinct statement. Builders are pooled.
type builder struct {
	where []byte // the WHERE conditions
	text  []byte // the whole statement
	args  []any
}

var builders = sync.Pool{New: func() any { return new(builder) }}

func getBuilder() *builder { return builders.Get().(*builder) }

func putBuilder(b *builder) {
	clear(b.args) // drop references to request values
	b.where, b.text, b.args = b.where[:0], b.text[:0], b.args[:0]
	builders.Put(b)
}

// from appends the FROM and WHERE clauses to the statement.
func (a *Adapter) from(b *builder) { b.from(a.table) }

// from appends FROM table (quoted) and the WHERE conditions to the
// statement.
func (b *builder) from(table string) {
	b.text = append(b.text, " FROM "...)
	b.text = append(b.text, table...)
	b.text = append(b.text, " WHERE "...)
	b.text = append(b.text, b.where...)
}

// cond adds one condition to the WHERE clause.
func (b *builder) cond(sql string) {
	b.where = append(b.where, " AND "...)
	b.where = append(b.where, sql...)
}

// in writes the placeholders of an IN list for the arguments from start on,
// padded to a power of two with copies of the last one.
func (b *builder) in(start int) {
	n := 1
	for n < len(b.args)-start {
		n *= 2
	}
	for len(b.args)-start < n {
		b.args = append(b.args, b.args[len(b.args)-1])
	}
	b.where = append(b.where, " IN (?"...)
	for range n - 1 {
		b.where = append(b.where, ", ?"...)
	}
	b.where = append(b.where, ')')
}

// where writes the WHERE conditions of q, leaving out the filters on field
// skip, to b.where and their values to b.args. ok is false when q matches
// nothing whatever the data (an empty IDs list, a scope no record has).
func (a *Adapter) where(b *builder, q *adapters.Query, skip string) (ok bool, err error) {
	if b.args, ok = a.scopeArgs(b.args, q.Scope); !ok {
		return false, nil
	}
	b.where = append(b.where, a.scope...)
	for i := range q.Filters {
		if f := &q.Filters[i]; f.Field != skip {
			if err := a.filter(b, f, q.Scope); err != nil {
				return false, err
			}
		}
	}
	if q.Search != "" {
		a.match(b, "%"+escapeLike(q.Search)+"%")
	}
	if q.Autocomplete != "" {
		p := escapeLike(q.Autocomplete)
		a.match(b, p+"%", "% "+p+"%")
	}
	if q.IDs != nil {
		start := len(b.args)
		for _, id := range q.IDs {
			if key, ok := a.keyOf(id); ok {
				b.args = append(b.args, key)
			}
		}
		if len(b.args) == start {
			return false, nil
		}
		b.where = append(b.where, " AND "...)
		b.where = append(b.where, a.key...)
		b.in(start)
	}
	return true, nil
}

// filter writes the condition of one filter of a list of scope s.
func (a *Adapter) filter(b *builder, f *adapters.Filter, s apos.Scope) error {
	fm := a.field(f.Field)
	bad := apos.Invalid(f.Field, "invalid", "")
	if fm == nil && f.Field == apos.SlugField && a.slugs != nil {
		return a.slugFilter(b, f, s, bad)
	}
	if fm == nil {
		return bad
	}
	switch f.Op {
	case adapters.OpContains:
		s, ok := first(f.Values).(string)
		if !ok {
			return bad
		}
		b.cond(fm.fold + " LIKE LOWER(?) ESCAPE '!'")
		b.args = append(b.args, "%"+escapeLike(s)+"%")
	case adapters.OpIn:
		if len(f.Values) == 0 {
			b.cond("1 = 0")
			return nil
		}
		start := len(b.args)
		for _, v := range f.Values {
			b.args = append(b.args, a.bindField(fm, v))
		}
		b.cond(fm.quoted)
		b.in(start)
	case adapters.OpRange:
		if len(f.Values) != 2 {
			return bad
		}
		if lo := f.Values[0]; lo != nil {
			b.cond(fm.quoted + " >= ?")
			b.args = append(b.args, a.bindField(fm, lo))
		}
		if hi := f.Values[1]; hi != nil {
			b.cond(fm.quoted + " <= ?")
			b.args = append(b.args, a.bindField(fm, hi))
		}
	case adapters.OpEqual:
		if len(f.Values) != 1 {
			return bad
		}
		if f.Values[0] == nil {
			b.cond(fm.quoted + " IS NULL")
			return nil
		}
		b.cond(fm.quoted + " = ?")
		b.args = append(b.args, a.bindField(fm, f.Values[0]))
	case adapters.OpNotNull:
		b.cond(fm.quoted + " IS NOT NULL")
	default:
		return bad
	}
	return nil
}

// slugFilter writes the condition of a filter on the slugs the adapter
// keeps: the records whose slug in scope s is one of the values, exactly.
// The slug table is searched by its unique index, then the rows by key.
func (a *Adapter) slugFilter(b *builder, f *adapters.Filter, s apos.Scope, bad error) error {
	if f.Op != adapters.OpEqual && f.Op != adapters.OpIn || len(f.Values) == 0 {
		return bad
	}
	start := len(b.args)
	for _, v := range f.Values {
		str, ok := v.(string)
		if !ok {
			return bad
		}
		b.args = append(b.args, str)
	}
	b.where = append(b.where, " AND "...)
	if a.intKey {
		b.where = append(b.where, a.db.CastText(a.key)...)
	} else {
		b.where = append(b.where, a.key...)
	}
	b.where = append(b.where, " IN (SELECT aposproxy_doc FROM "...)
	b.where = append(b.where, a.slugs.table...)
	b.where = a.slugs.appendWhere(b.where, s)
	b.where = append(b.where, " AND aposproxy_slug"...)
	b.in(start)
	b.where = append(b.where, ')')
	return nil
}

// match writes a case-insensitive match of any searchable field against
// any of the LIKE patterns. Both sides are lowered by the engine, so that
// they agree on what lower case is.
func (a *Adapter) match(b *builder, patterns ...string) {
	b.where = append(b.where, " AND ("...)
	n := 0
	for i := range a.fields {
		f := &a.fields[i]
		if !a.schema.Fields[i].Searchable {
			continue
		}
		for _, p := range patterns {
			if n > 0 {
				b.where = append(b.where, " OR "...)
			}
			n++
			b.where = append(b.where, f.fold...)
			b.where = append(b.where, " LIKE LOWER(?) ESCAPE '!'"...)
			b.args = append(b.args, p)
		}
	}
	if n == 0 {
		b.where = append(b.where, "1 = 0"...)
	}
	b.where = append(b.where, ')')
}

// escapeLike escapes LIKE's wildcards in s with '!'.
func escapeLike(s string) string {
	if !strings.ContainsAny(s, "%_!") {
		return s
	}
	return likeEscaper.Replace(s)
}

var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

func first(vs []any) any {
	if len(vs) == 0 {
		return nil
	}
	return vs[0]
}

// field returns the field named name, or nil.
func (a *Adapter) field(name string) *field {
	if i, ok := a.byName[name]; ok {
		return &a.fields[i]
	}
	return nil
}

// bind converts a value, typed as in adapters.Value, to what the engine
// stores.
func (a *Adapter) bind(v any) any {
	switch v := v.(type) {
	case time.Time:
		return a.db.BindTime(v)
	case bool:
		return a.db.BindBool(v)
	case adapters.RawJSON:
		return string(v)
	}
	return v
}
