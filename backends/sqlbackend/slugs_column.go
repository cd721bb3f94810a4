package sqlbackend

import (
	"context"
	"database/sql"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// uniqueSlugColumn gives a type that maps a slug column Apostrophe's
// slugs (docs/api-rules.md#25): a written slug, or for a new record
// without one its title, is slugified and made unique among the other
// records of the scopes written, with the smallest numeric suffix. vals
// are returned with the slug to write; a write that sets no slug keeps
// the record's.
func (a *Adapter) uniqueSlugColumn(ctx context.Context, tx *sql.Tx, scopes []apos.Scope, key any, vals []adapters.Value, creating bool) ([]adapters.Value, error) {
	f := a.field(apos.SlugField)
	if f == nil || f.kind != apos.String {
		return vals, nil
	}
	at := -1
	want := ""
	for i, v := range vals {
		if v.Field == apos.SlugField {
			at = i
			want, _ = v.V.(string)
		}
	}
	if at < 0 && !creating {
		return vals, nil
	}
	if want == "" {
		want, _ = titleOf(vals)
	}
	base := a.slugBaseOf(want, keyText(key))
	taken := map[string]bool{}
	for _, s := range scopes {
		args, ok := a.scopeArgs(nil, s)
		if !ok {
			continue
		}
		text := "SELECT " + f.quoted + " FROM " + a.table + " WHERE " + a.scope +
			" AND (" + f.quoted + " = ? OR " + f.quoted + " LIKE ?)"
		args = append(args, base, base+"%")
		if key != nil {
			text += " AND " + a.key + " <> ?"
			args = append(args, key)
		}
		set, err := a.slugsOf(ctx, tx, text, args)
		if err != nil {
			return nil, err
		}
		for s := range set {
			taken[s] = true
		}
	}
	v := adapters.Value{Field: apos.SlugField, V: firstFree(base, func(c string) bool { return taken[c] })}
	out := append(make([]adapters.Value, 0, len(vals)+1), vals...)
	if at < 0 {
		return append(out, v), nil
	}
	out[at] = v
	return out, nil
}

// slugsOf runs a query of one text column and returns its values as a set.
func (a *Adapter) slugsOf(ctx context.Context, tx *sql.Tx, text string, args []any) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, a.db.Rebind(text), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	var c cell
	for rows.Next() {
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		if c.typ != cellNull {
			set[string(c.appendText(nil))] = true
		}
	}
	return set, rows.Err()
}
