package sqlbackend

import (
	"context"
	"database/sql"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// join is a join-table relationship of the type, prepared
// (docs/api-rules.md#172): its quoted table and columns.
type join struct {
	name                   string // the relationship's name
	table, from, to, order string // quoted; order may be empty
	fields                 []apos.JoinField
	cols                   []string // the quoted fields' columns
}

// joins prepares the type's join-table relationships.
func (a *Adapter) joins() []join {
	var out []join
	for _, r := range a.schema.Relationships {
		if r.Join == nil {
			continue
		}
		j := join{name: r.Name, table: a.db.QuoteName(r.Join.Table), from: a.db.Quote(r.Join.From),
			to: a.db.Quote(r.Join.To), fields: r.Join.Fields}
		if r.Join.Order != "" {
			j.order = a.db.Quote(r.Join.Order)
		}
		for _, f := range r.Join.Fields {
			j.cols = append(j.cols, a.db.Quote(f.Column))
		}
		out = append(out, j)
	}
	return out
}

// joinNamed returns the join-table relationship named name, or nil.
func (a *Adapter) joinNamed(name string) *join {
	for i := range a.rels {
		if a.rels[i].name == name {
			return &a.rels[i]
		}
	}
	return nil
}

// Links implements adapters.Linker, from the join table: it holds the
// links of every record, whatever its locale and mode (docs/api-rules.md#172),
// but an overlay type's records that are not legacy rows, which may have
// links of their own in the store (docs/api-rules.md#176).
func (a *Adapter) Links(ctx context.Context, s apos.Scope, rel string, ids []string, reverse bool) ([]adapters.Link, error) {
	j := a.joinNamed(rel)
	if j == nil || len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids))
	for _, id := range ids {
		if !reverse {
			if key, ok := a.keyOf(id); ok {
				args = append(args, key)
			}
		} else if k, ok := apos.DecodeKey(id); ok {
			args = append(args, k)
		}
	}
	if len(args) == 0 {
		return nil, nil
	}
	if l := a.storeLinks(); l != nil && a.ov.serves(s) {
		return a.overlayLinks(ctx, l, s, j, ids, args, reverse)
	}
	by := j.from
	if reverse {
		by = j.to
	}
	links, err := a.joinLinks(ctx, a.db, j, by, args)
	return links, a.fail(ctx, err)
}

// joinLinks reads the rows of the join table j whose column by is one of
// args, ordered by record and position.
func (a *Adapter) joinLinks(ctx context.Context, q execer, j *join, by string, args []any) ([]adapters.Link, error) {
	text := "SELECT " + j.from + ", " + j.to
	for _, c := range j.cols {
		text += ", " + c
	}
	text += " FROM " + j.table + " WHERE " + by + " IN (?" + strings.Repeat(", ?", len(args)-1) + ") ORDER BY " + j.from
	if j.order != "" {
		text += ", " + j.order
	}
	rows, err := q.QueryContext(ctx, a.db.Rebind(text), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return a.scanLinks(rows, j)
}

// scanLinks reads the rows of Links.
func (a *Adapter) scanLinks(rows *sql.Rows, j *join) ([]adapters.Link, error) {
	var out []adapters.Link
	vals := make([]sql.NullString, len(j.cols))
	dest := make([]any, 2+len(j.cols))
	var from, to string
	dest[0], dest[1] = &from, &to
	for i := range vals {
		dest[2+i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		fields := []byte{'{'}
		for i, f := range j.fields {
			if i > 0 {
				fields = append(fields, ',')
			}
			fields = append(appendJSONString(fields, []byte(f.Name)), ':')
			if vals[i].Valid {
				fields = appendJSONString(fields, []byte(vals[i].String))
			} else {
				fields = append(fields, "null"...)
			}
		}
		out = append(out, adapters.Link{From: apos.EncodeKey(from), To: apos.EncodeKey(to), Fields: append(fields, '}')})
	}
	return out, rows.Err()
}

// takeLinks splits the values that set join-table relationships off vals.
func (a *Adapter) takeLinks(vals []adapters.Value) ([]adapters.Value, []adapters.Value) {
	var links []adapters.Value
	out := vals[:0:0]
	for _, v := range vals {
		if _, ok := v.V.(adapters.Links); ok {
			links = append(links, v)
		} else {
			out = append(out, v)
		}
	}
	return out, links
}

// writeLinks replaces the links of key's relationships set by links, in
// tx: the join table's rows, in order (docs/api-rules.md#174).
func (a *Adapter) writeLinks(ctx context.Context, tx *sql.Tx, key any, links []adapters.Value) error {
	for _, v := range links {
		j := a.joinNamed(v.Field)
		if j == nil {
			return apos.Invalid(v.Field, "invalid", "")
		}
		if _, err := tx.ExecContext(ctx, a.db.Rebind("DELETE FROM "+j.table+" WHERE "+j.from+" = ?"), key); err != nil {
			return a.fail(ctx, err)
		}
		for pos, l := range v.V.(adapters.Links) {
			if err := a.insertLink(ctx, tx, j, key, pos, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// insertLink inserts one row of the join table.
func (a *Adapter) insertLink(ctx context.Context, tx *sql.Tx, j *join, key any, pos int, l adapters.Link) error {
	to, ok := apos.DecodeKey(l.To)
	if !ok {
		return nil
	}
	cols, args := []string{j.from, j.to}, []any{key, to}
	if j.order != "" {
		cols, args = append(cols, j.order), append(args, int64(pos))
	}
	for i, f := range j.fields {
		cols = append(cols, j.cols[i])
		args = append(args, linkField(l.Fields, f.Name))
	}
	text := "INSERT INTO " + j.table + " (" + strings.Join(cols, ", ") + ") VALUES (?" + strings.Repeat(", ?", len(cols)-1) + ")"
	_, err := tx.ExecContext(ctx, a.db.Rebind(text), args...)
	return a.fail(ctx, err)
}

// dropLinks deletes the join rows from key, before its row is deleted
// (docs/api-rules.md#175).
func (a *Adapter) dropLinks(ctx context.Context, tx *sql.Tx, key any) error {
	for _, j := range a.rels {
		if _, err := tx.ExecContext(ctx, a.db.Rebind("DELETE FROM "+j.table+" WHERE "+j.from+" = ?"), key); err != nil {
			return a.fail(ctx, err)
		}
	}
	return nil
}

// linkField is the value of _fields.name of a link to write: a string or
// NULL (a join table's extra columns are text).
func linkField(fields []byte, name string) any {
	v := gjson.GetBytes(fields, name)
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.String:
		return v.Str
	}
	return v.Raw
}
