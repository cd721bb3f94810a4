package sqladapter

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/tidwall/sjson"
)

// The members the workflow keeps on records (the contract's §6).
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

// extraOf returns the members of the record of docID in scope s, ready for
// Record.Extra, reading within tx unless it is nil.
func (st *store) extraOf(ctx context.Context, tx *sql.Tx, docID string, s adapters.Scope) ([]byte, error) {
	obj, err := st.object(ctx, tx, docID, s)
	return members(obj), err
}

// object returns the stored JSON object of the record of docID in scope
// s, or nil when there is none.
func (st *store) object(ctx context.Context, tx *sql.Tx, docID string, s adapters.Scope) ([]byte, error) {
	stmt := st.getMeta
	if tx != nil {
		stmt = tx.StmtContext(ctx, stmt)
	}
	var obj []byte
	err := stmt.QueryRowContext(ctx, st.typeName, docID, s.Locale, string(s.Mode)).Scan(&obj)
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

// attach sets the Extra of a page of records of scope s, in one query.
func (st *store) attach(ctx context.Context, s adapters.Scope, recs []adapters.Record) error {
	if len(recs) == 0 {
		return nil
	}
	b := getBuilder()
	defer putBuilder(b)
	b.args = append(b.args, st.typeName, s.Locale, string(s.Mode))
	start := len(b.args)
	at := make(map[string]int, len(recs))
	for i := range recs {
		at[recs[i].DocID] = i
		b.args = append(b.args, recs[i].DocID)
	}
	b.where = append(b.where, "type_name = ? AND locale = ? AND mode = ? AND doc_id"...)
	b.in(start)
	b.text = append(b.text, "SELECT doc_id, extra FROM "...)
	b.text = append(b.text, st.meta...)
	b.text = append(b.text, " WHERE "...)
	b.text = append(b.text, b.where...)
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
			recs[i].Extra = members(obj)
		}
	}
	return rows.Err()
}

// edit applies edits to the members of the record of docID in scope s.
// An object left empty is deleted.
func (st *store) edit(ctx context.Context, tx *sql.Tx, docID string, s adapters.Scope, edits ...metaEdit) error {
	obj, err := st.object(ctx, tx, docID, s)
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
	return st.put(ctx, tx, docID, s, obj)
}

// put replaces the stored object of the record of docID in scope s; nil or
// an empty object deletes it.
func (st *store) put(ctx context.Context, tx *sql.Tx, docID string, s adapters.Scope, obj []byte) error {
	args := []any{st.typeName, docID, s.Locale, string(s.Mode)}
	del := "DELETE FROM " + st.meta + " WHERE type_name = ? AND doc_id = ? AND locale = ? AND mode = ?"
	if _, err := tx.ExecContext(ctx, st.db.rebind(del), args...); err != nil || members(obj) == nil {
		return err
	}
	ins := "INSERT INTO " + st.meta + " (type_name, doc_id, locale, mode, extra) VALUES (?, ?, ?, ?, ?)"
	_, err := tx.ExecContext(ctx, st.db.rebind(ins), append(args, string(obj))...)
	return err
}

// copyMeta makes the members of the record of docID in scope to those of
// scope from.
func (st *store) copyMeta(ctx context.Context, tx *sql.Tx, docID string, from, to adapters.Scope) error {
	obj, err := st.object(ctx, tx, docID, from)
	if err != nil {
		return err
	}
	return st.put(ctx, tx, docID, to, obj)
}

// dropMeta deletes the members of the records of docID in locale, in the
// given modes.
func (st *store) dropMeta(ctx context.Context, tx *sql.Tx, docID, locale string, modes ...adapters.Mode) error {
	for _, m := range modes {
		if err := st.put(ctx, tx, docID, adapters.Scope{Locale: locale, Mode: m}, nil); err != nil {
			return err
		}
	}
	return nil
}

// renameMeta moves the members of every record of docID to newID.
func (st *store) renameMeta(ctx context.Context, tx *sql.Tx, docID, newID string) error {
	text := "UPDATE " + st.meta + " SET doc_id = ? WHERE type_name = ? AND doc_id = ?"
	_, err := tx.ExecContext(ctx, st.db.rebind(text), newID, st.typeName, docID)
	return err
}
