package sqlbackend

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/sjson"
)

// The members the workflow keeps on records (docs/api-rules.md#25).
const (
	memberLastPublished = "lastPublishedAt"
	memberSubmitted     = "submitted"
	memberLocalized     = "localizedAt"
)

// metaEdit rewrites the stored JSON object of a record's members.
type metaEdit func(obj []byte) ([]byte, error)

// setMemberTime sets member to t as the API writes datetimes.
func setMemberTime(member string, t time.Time) metaEdit {
	return setMember(member, appendJSONString(nil, t.UTC().AppendFormat(nil, isoMillis)))
}

// setMember sets member to the JSON value raw.
func setMember(member string, raw []byte) metaEdit {
	return func(obj []byte) ([]byte, error) { return sjson.SetRawBytes(obj, member, raw) }
}

// dropMember removes member.
func dropMember(member string) metaEdit {
	return func(obj []byte) ([]byte, error) { return sjson.DeleteBytes(obj, member) }
}

// extraOf returns the members read with the row r (see extraColumn),
// ready for Record.Extra; nil without a store or members.
func (a *Adapter) extraOf(r *row) []byte {
	if a.store == nil {
		return nil
	}
	c := &r.cells[len(a.fields)+1]
	if c.typ == cellNull {
		return nil
	}
	return members(append([]byte(nil), c.appendText(nil)...))
}

// extraColumn is the member of the select list of a single-record read
// that reads the record's members with it, in the same round trip: a
// subquery on the meta table by the row's key and the locale and mode of
// the read, which readRow binds first. Empty without a store.
func (a *Adapter) extraColumn() string {
	if a.store == nil {
		return ""
	}
	// The type's name is written in (type names are held to
	// [A-Za-z0-9@/_-]): a value fewer to bind on every read.
	return ", (SELECT extra FROM " + a.store.meta + " WHERE type_name = '" + a.t.Name + "' AND doc_id = " +
		a.keyCast + " AND locale = ? AND mode = ?)"
}

// pageExtra reports whether a list of scope s reads its records' members
// in its own statement (appendExtra), as extraColumn does for a single
// read, so that a page of records and their members come in one round
// trip instead of two. The locale and mode are written in, since the
// select list comes before the WHERE conditions whose values are bound; a
// value outside [A-Za-z0-9_-] is never written into SQL: the members are
// then read apart (store.attach).
func (a *Adapter) pageExtra(s apos.Scope) bool {
	return a.store != nil && plainLiteral(s.Locale) && plainLiteral(string(s.Mode))
}

// appendExtra appends the subquery that reads the members of the record
// whose key as text is keyText, in scope s (see pageExtra).
func (a *Adapter) appendExtra(text []byte, keyText string, s apos.Scope) []byte {
	text = append(text, "(SELECT extra FROM "...)
	text = append(text, a.store.meta...)
	text = append(text, " WHERE type_name = '"...)
	text = append(text, a.t.Name...)
	text = append(text, "' AND doc_id = "...)
	text = append(text, keyText...)
	text = append(append(append(text, " AND locale = '"...), s.Locale...), "' AND mode = '"...)
	return append(append(text, s.Mode...), "')"...)
}

// plainLiteral reports whether v may be written into SQL between single
// quotes as it is: letters, digits, '-' and '_' only.
func plainLiteral(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// width is the number of cells a single-record read scans: the key, the
// fields and, as the adapter has them, the members, the slug and the
// lastPublishedAt column (in that order).
func (a *Adapter) width() int {
	n := a.sinceAt()
	if a.sinceApart() {
		n++
	}
	return n
}

// slugAt is the cell of a single-record read that holds the slug.
func (a *Adapter) slugAt() int {
	if a.store != nil {
		return len(a.fields) + 2
	}
	return len(a.fields) + 1
}

// sinceAt is the cell of a single-record read that holds the
// lastPublishedAt column.
func (a *Adapter) sinceAt() int {
	if a.slugs != nil {
		return a.slugAt() + 1
	}
	return a.slugAt()
}

// object returns the stored JSON object of the record of key in scope s,
// or nil when there is none.
func (st *store) object(ctx context.Context, tx *sql.Tx, key any, s apos.Scope) ([]byte, error) {
	stmt := st.getMeta
	if tx != nil {
		stmt = tx.StmtContext(ctx, stmt)
	}
	var obj []byte
	err := stmt.QueryRowContext(ctx, st.typeName, keyText(key), s.Locale, string(s.Mode)).Scan(&obj)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return obj, err
}

// members strips the braces of a JSON object: nil for an empty one.
func members(obj []byte) []byte {
	obj = bytes.TrimSpace(obj)
	if len(obj) < 2 {
		return nil
	}
	if inner := bytes.TrimSpace(obj[1 : len(obj)-1]); len(inner) > 0 {
		return inner
	}
	return nil
}

// attach sets the Extra of a page of records of scope s, in one query,
// keeping the lastPublishedAt the records had (lastpub.go) when the store
// has none for them.
func (st *store) attach(ctx context.Context, s apos.Scope, recs []adapters.Record) error {
	if len(recs) == 0 {
		return nil
	}
	b := getBuilder()
	defer putBuilder(b)
	b.args = append(b.args, st.typeName, s.Locale, string(s.Mode))
	start := len(b.args)
	at := make(map[string]int, len(recs))
	for i := range recs {
		id, _ := apos.DecodeKey(recs[i].DocID)
		at[id] = i
		b.args = append(b.args, id)
	}
	b.where = append(b.where, "type_name = ? AND locale = ? AND mode = ? AND doc_id"...)
	b.in(start)
	b.text = append(b.text, "SELECT doc_id, extra"...)
	b.from(st.meta)
	rows, err := st.stmts.query(ctx, b.text, b.args)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var obj []byte
		if err := rows.Scan(&id, &obj); err != nil {
			return err
		}
		if i, ok := at[id]; ok {
			recs[i].Extra = withLastPublished(members(obj), recs[i].Extra)
		}
	}
	return rows.Err()
}

// edit applies edits to the members of the record of key in scope s.
// An object left empty is deleted.
func (st *store) edit(ctx context.Context, tx *sql.Tx, key any, s apos.Scope, edits ...metaEdit) error {
	obj, err := st.object(ctx, tx, key, s)
	if err != nil {
		return err
	}
	if obj == nil {
		obj = []byte("{}")
	}
	for _, e := range edits {
		if obj, err = e(obj); err != nil {
			return err
		}
	}
	return st.put(ctx, tx, key, s, obj)
}

// put replaces the stored object of the record of key in scope s; nil or
// an empty object deletes it.
func (st *store) put(ctx context.Context, tx *sql.Tx, key any, s apos.Scope, obj []byte) error {
	args := []any{st.typeName, keyText(key), s.Locale, string(s.Mode)}
	del := "DELETE FROM " + st.meta + " WHERE type_name = ? AND doc_id = ? AND locale = ? AND mode = ?"
	if _, err := tx.ExecContext(ctx, st.db.Rebind(del), args...); err != nil || members(obj) == nil {
		return err
	}
	ins := "INSERT INTO " + st.meta + " (type_name, doc_id, locale, mode, extra) VALUES (?, ?, ?, ?, ?)"
	_, err := tx.ExecContext(ctx, st.db.Rebind(ins), append(args, string(obj))...)
	return err
}

// copyMeta makes the members of the record of key in scope to those of
// scope from.
func (st *store) copyMeta(ctx context.Context, tx *sql.Tx, key any, from, to apos.Scope) error {
	obj, err := st.object(ctx, tx, key, from)
	if err != nil {
		return err
	}
	return st.put(ctx, tx, key, to, obj)
}

// dropMeta deletes the members of the records of key in locale, in the
// given modes.
func (st *store) dropMeta(ctx context.Context, tx *sql.Tx, key any, locale string, modes ...apos.Mode) error {
	for _, m := range modes {
		if err := st.put(ctx, tx, key, apos.Scope{Locale: locale, Mode: m}, nil); err != nil {
			return err
		}
	}
	return nil
}

// renameMeta moves the members of every record of key to newKey.
func (st *store) renameMeta(ctx context.Context, tx *sql.Tx, key, newKey any) error {
	text := "UPDATE " + st.meta + " SET doc_id = ? WHERE type_name = ? AND doc_id = ?"
	_, err := tx.ExecContext(ctx, st.db.Rebind(text), keyText(newKey), st.typeName, keyText(key))
	return err
}
