package sqlbackend

import (
	"context"
	"database/sql"
	"strings"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// linksTable holds the join-table links of the overlay records that are
// not legacy rows (docs/api-rules.md#176): an overlay type's default-locale
// drafts, its previous copies and its other locales. The legacy join table
// keeps the links of the legacy rows, the published records, and nothing
// else: publishing a draft is what writes them there. A record whose
// links the table holds has a marker row (position -1, no target) per
// relationship, so that "no links" differs from "the legacy row's links".
const linksTable = "aposproxy_links"

// markerPos is the position of a record's marker row.
const markerPos = -1

// storeLinks is the links table of one overlay type.
type storeLinks struct {
	a        *Adapter // the type's legacy adapter: its join tables
	db       *sqldb.DB
	table    string // quoted
	typeName string
}

// newStoreLinks creates the links table when it does not exist, for an
// overlay type with join-table relationships; nil otherwise.
func newStoreLinks(ctx context.Context, a *Adapter) (*storeLinks, error) {
	if len(a.rels) == 0 {
		return nil, nil
	}
	l := &storeLinks{a: a, db: a.db, table: a.db.QuoteName(linksTable), typeName: a.t.Name}
	// Key columns as short as the meta table's, for MySQL's index limit.
	_, err := a.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+l.table+` (
  type_name   VARCHAR(100) NOT NULL,
  rel         VARCHAR(100) NOT NULL,
  doc_id      VARCHAR(191) NOT NULL,
  locale      VARCHAR(64)  NOT NULL,
  mode        VARCHAR(16)  NOT NULL,
  pos         INTEGER      NOT NULL,
  target      VARCHAR(191) NOT NULL,
  link_fields `+a.db.LongText()+` NOT NULL,
  PRIMARY KEY (type_name, rel, doc_id, locale, mode, pos))`)
	return l, err
}

// scopeArgs are the bound values of "type_name = ? AND rel = ? AND
// locale = ? AND mode = ?".
func (l *storeLinks) scopeArgs(rel string, s apos.Scope) []any {
	return []any{l.typeName, rel, s.Locale, string(s.Mode)}
}

const linksScope = "type_name = ? AND rel = ? AND locale = ? AND mode = ?"

// in is " IN (?, ?...)" for n values.
func in(n int) string { return " IN (?" + strings.Repeat(", ?", n-1) + ")" }

// load reads the links of relationship rel of the records keys (as text)
// in scope s: own tells which records have links of their own there.
func (l *storeLinks) load(ctx context.Context, q execer, s apos.Scope, rel string, keys []any) (own map[string]bool, out []adapters.Link, err error) {
	own = map[string]bool{}
	if len(keys) == 0 {
		return own, nil, nil
	}
	text := "SELECT doc_id, pos, target, link_fields FROM " + l.table + " WHERE " + linksScope +
		" AND doc_id" + in(len(keys)) + " ORDER BY doc_id, pos"
	rows, err := q.QueryContext(ctx, l.db.Rebind(text), append(l.scopeArgs(rel, s), keys...)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var doc, target, fields string
		var pos int
		if err := rows.Scan(&doc, &pos, &target, &fields); err != nil {
			return nil, nil, err
		}
		if pos == markerPos {
			own[doc] = true
			continue
		}
		out = append(out, adapters.Link{From: apos.EncodeKey(doc), To: target, Fields: []byte(fields)})
	}
	return own, out, rows.Err()
}

// loadTo reads the links of rel in scope s that point at the related
// documents ids (a reverse read).
func (l *storeLinks) loadTo(ctx context.Context, s apos.Scope, rel string, ids []any) ([]adapters.Link, error) {
	text := "SELECT doc_id, target, link_fields FROM " + l.table + " WHERE " + linksScope +
		" AND pos >= 0 AND target" + in(len(ids)) + " ORDER BY doc_id, pos"
	rows, err := l.db.QueryContext(ctx, l.db.Rebind(text), append(l.scopeArgs(rel, s), ids...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []adapters.Link
	for rows.Next() {
		var doc, target, fields string
		if err := rows.Scan(&doc, &target, &fields); err != nil {
			return nil, err
		}
		out = append(out, adapters.Link{From: apos.EncodeKey(doc), To: target, Fields: []byte(fields)})
	}
	return out, rows.Err()
}

// owners returns which of the records keys have links of their own for
// rel in scope s.
func (l *storeLinks) owners(ctx context.Context, s apos.Scope, rel string, keys []any) (map[string]bool, error) {
	own := map[string]bool{}
	if len(keys) == 0 {
		return own, nil
	}
	text := "SELECT doc_id FROM " + l.table + " WHERE " + linksScope + " AND pos = -1 AND doc_id" + in(len(keys))
	rows, err := l.db.QueryContext(ctx, l.db.Rebind(text), append(l.scopeArgs(rel, s), keys...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		own[doc] = true
	}
	return own, rows.Err()
}

// put replaces the links of rel of the record of key in scope s with
// links, in tx, and marks them as the record's own. _fields are kept as
// the join table would give them back: text or null (docs/api-rules.md#172).
func (l *storeLinks) put(ctx context.Context, tx *sql.Tx, key any, s apos.Scope, rel string, links adapters.Links) error {
	j := l.a.joinNamed(rel)
	if j == nil {
		return apos.Invalid(rel, "invalid", "")
	}
	doc := keyText(key)
	del := "DELETE FROM " + l.table + " WHERE " + linksScope + " AND doc_id = ?"
	if _, err := tx.ExecContext(ctx, l.db.Rebind(del), append(l.scopeArgs(rel, s), doc)...); err != nil {
		return err
	}
	ins := l.db.Rebind("INSERT INTO " + l.table + " (type_name, rel, locale, mode, doc_id, pos, target, link_fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
	if _, err := tx.ExecContext(ctx, ins, append(l.scopeArgs(rel, s), doc, markerPos, "", "{}")...); err != nil {
		return err
	}
	for pos, link := range links {
		fields := textFields(j, link.Fields)
		if _, err := tx.ExecContext(ctx, ins, append(l.scopeArgs(rel, s), doc, pos, link.To, string(fields))...); err != nil {
			return err
		}
	}
	return nil
}

// textFields is the _fields of a link as the join table gives them back.
func textFields(j *join, in []byte) []byte {
	out := []byte{'{'}
	for i, f := range j.fields {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(appendJSONString(out, []byte(f.Name)), ':')
		switch v := linkField(in, f.Name).(type) {
		case string:
			out = appendJSONString(out, []byte(v))
		default:
			out = append(out, "null"...)
		}
	}
	return append(out, '}')
}

// putAll writes the links values of a write (see takeLinks) to the record
// of key in scope s.
func (l *storeLinks) putAll(ctx context.Context, tx *sql.Tx, key any, s apos.Scope, vals []adapters.Value) error {
	for _, v := range vals {
		if l == nil {
			return errNoLinks
		}
		if err := l.put(ctx, tx, key, s, v.Field, v.V.(adapters.Links)); err != nil {
			return l.a.fail(ctx, err)
		}
	}
	return nil
}

// errNoLinks refuses links a type has no table for (not expected: only
// join-table relationships write Links).
var errNoLinks = apos.Errorf(apos.ErrInvalid, "This type keeps no links.")

// copyScope makes the links of the record of key in scope to those it
// has in from: its own links when it has some there, none otherwise (the
// record then reads the legacy row's).
func (l *storeLinks) copyScope(ctx context.Context, tx *sql.Tx, key any, from, to apos.Scope) error {
	if l == nil || from == to {
		return nil
	}
	doc := keyText(key)
	if err := l.drop(ctx, tx, key, to.Locale, to.Mode); err != nil {
		return err
	}
	text := "INSERT INTO " + l.table + " (type_name, rel, doc_id, locale, mode, pos, target, link_fields) " +
		"SELECT type_name, rel, doc_id, ?, ?, pos, target, link_fields FROM " + l.table +
		" WHERE type_name = ? AND doc_id = ? AND locale = ? AND mode = ?"
	_, err := tx.ExecContext(ctx, l.db.Rebind(text), to.Locale, string(to.Mode), l.typeName, doc, from.Locale, string(from.Mode))
	return err
}

// drop deletes the links of the record of key in locale, in modes.
func (l *storeLinks) drop(ctx context.Context, tx *sql.Tx, key any, locale string, modes ...apos.Mode) error {
	if l == nil {
		return nil
	}
	text := l.db.Rebind("DELETE FROM " + l.table + " WHERE type_name = ? AND doc_id = ? AND locale = ? AND mode = ?")
	for _, m := range modes {
		if _, err := tx.ExecContext(ctx, text, l.typeName, keyText(key), locale, string(m)); err != nil {
			return err
		}
	}
	return nil
}

// rename moves the links of every record of key to newKey (a provisional
// key replaced on first publication).
func (l *storeLinks) rename(ctx context.Context, tx *sql.Tx, key, newKey any) error {
	if l == nil {
		return nil
	}
	text := "UPDATE " + l.table + " SET doc_id = ? WHERE type_name = ? AND doc_id = ?"
	_, err := tx.ExecContext(ctx, l.db.Rebind(text), keyText(newKey), l.typeName, keyText(key))
	return err
}

// snapshot gives the record of key in scope s, for each relationship it
// has no links of its own for, a copy of the legacy row's: done before
// the legacy row's links change under a record that must keep them (an
// unpublished or reverted draft, a previous copy).
func (l *storeLinks) snapshot(ctx context.Context, tx *sql.Tx, key any, s apos.Scope) error {
	if l == nil {
		return nil
	}
	for i := range l.a.rels {
		j := &l.a.rels[i]
		own, _, err := l.load(ctx, tx, s, j.name, []any{keyText(key)})
		if err != nil || own[keyText(key)] {
			return err
		}
		legacy, err := l.a.joinLinks(ctx, tx, j, j.from, []any{key})
		if err != nil {
			return err
		}
		if err := l.put(ctx, tx, key, s, j.name, legacy); err != nil {
			return err
		}
	}
	return nil
}

// publish writes the links the record of key has of its own in scope s
// (a default-locale draft) to the legacy join tables, as the links of the
// legacy row of newKey, and forgets them: the draft reads the legacy
// row's links again. A relationship the draft has no links of its own
// for keeps the legacy row's.
func (l *storeLinks) publish(ctx context.Context, tx *sql.Tx, key, newKey any, s apos.Scope) error {
	if l == nil {
		return nil
	}
	for i := range l.a.rels {
		j := &l.a.rels[i]
		own, links, err := l.load(ctx, tx, s, j.name, []any{keyText(key)})
		if err != nil {
			return err
		}
		if !own[keyText(key)] {
			continue
		}
		if err := l.a.writeLinks(ctx, tx, newKey, []adapters.Value{{Field: j.name, V: adapters.Links(links)}}); err != nil {
			return err
		}
	}
	return l.drop(ctx, tx, key, s.Locale, s.Mode)
}

// sameScopes reports whether the record of key has the same links in
// scopes x and y (its own, or the legacy row's); true without a store.
func (l *storeLinks) sameScopes(ctx context.Context, tx *sql.Tx, key any, x, y apos.Scope) (bool, error) {
	if l == nil {
		return true, nil
	}
	for i := range l.a.rels {
		j := &l.a.rels[i]
		lx, err := l.resolve(ctx, tx, key, x, j)
		if err != nil {
			return false, err
		}
		ly, err := l.resolve(ctx, tx, key, y, j)
		if err != nil || !sameLinks(lx, ly) {
			return false, err
		}
	}
	return true, nil
}

// resolve reads the links of j of the record of key in scope s: its own,
// or the legacy row's.
func (l *storeLinks) resolve(ctx context.Context, tx *sql.Tx, key any, s apos.Scope, j *join) ([]adapters.Link, error) {
	own, links, err := l.load(ctx, tx, s, j.name, []any{keyText(key)})
	if err != nil || own[keyText(key)] {
		return links, err
	}
	return l.a.joinLinks(ctx, tx, j, j.from, []any{key})
}

// localizeLinks gives the draft of key in locale to the links of its
// draft in from, for an overlay type (docs/api-rules.md#176).
func (a *Adapter) localizeLinks(ctx context.Context, tx *sql.Tx, key any, from, to string) error {
	l := a.storeLinks()
	return l.copyScope(ctx, tx, key, apos.Scope{Locale: from, Mode: apos.Draft}, apos.Scope{Locale: to, Mode: apos.Draft})
}

// sameLinks reports whether two lists of links from one record are the
// same, in the same order.
func sameLinks(a, b []adapters.Link) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].To != b[i].To || string(a[i].Fields) != string(b[i].Fields) {
			return false
		}
	}
	return true
}

// storeLinks returns the links table of an overlay type, or nil.
func (a *Adapter) storeLinks() *storeLinks {
	if a.ov == nil || a.store == nil {
		return nil
	}
	return a.store.links
}

// overlayLinks reads links in a scope the overlay serves: a record's own
// links from the store, the legacy row's otherwise; in a fixed number of
// queries (two forward, three reverse: docs/api-rules.md#177). args are
// the keys of ids.
func (a *Adapter) overlayLinks(ctx context.Context, l *storeLinks, s apos.Scope, j *join, ids []string, args []any, reverse bool) ([]adapters.Link, error) {
	if !reverse {
		keys := make([]any, len(args))
		for i, k := range args {
			keys[i] = keyText(k)
		}
		own, out, err := l.load(ctx, a.db, s, j.name, keys)
		if err != nil {
			return nil, a.fail(ctx, err)
		}
		var rest []any
		for i, k := range keys {
			if !own[k.(string)] {
				rest = append(rest, args[i])
			}
		}
		if len(rest) == 0 {
			return out, nil
		}
		legacy, err := a.joinLinks(ctx, a.db, j, j.from, rest)
		return append(out, legacy...), a.fail(ctx, err)
	}
	targets := make([]any, len(ids))
	for i, id := range ids {
		targets[i] = id
	}
	out, err := l.loadTo(ctx, s, j.name, targets)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	legacy, err := a.joinLinks(ctx, a.db, j, j.to, args)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	froms := make([]any, 0, len(legacy))
	for _, lk := range legacy {
		k, _ := apos.DecodeKey(lk.From)
		froms = append(froms, k)
	}
	own, err := l.owners(ctx, s, j.name, froms)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	for _, lk := range legacy {
		if k, _ := apos.DecodeKey(lk.From); !own[k] {
			out = append(out, lk)
		}
	}
	return out, nil
}

// markLinksModified, with q the pool or the read's transaction, flags as modified the default-locale drafts of recs
// that their columns left unmodified but whose own links differ from the
// legacy row's (docs/api-rules.md#176): per join-table relationship, one
// query of the store and, when some drafts have links of their own, one
// of the join table, whatever the number of records.
func (a *Adapter) markLinksModified(ctx context.Context, q execer, s apos.Scope, recs []adapters.Record) error {
	l := a.storeLinks()
	if l == nil || s != a.ov.scope(apos.Draft) {
		return nil
	}
	var keys, texts []any
	byKey := map[string]*adapters.Record{}
	for i := range recs {
		if recs[i].Modified != adapters.False {
			continue
		}
		if key, ok := a.keyOf(recs[i].DocID); ok {
			keys, texts = append(keys, key), append(texts, keyText(key))
			byKey[keyText(key)] = &recs[i]
		}
	}
	for i := range a.rels {
		if len(keys) == 0 {
			return nil
		}
		j := &a.rels[i]
		own, links, err := l.load(ctx, q, s, j.name, texts)
		if err != nil || len(own) == 0 {
			if err != nil {
				return a.fail(ctx, err)
			}
			continue
		}
		var ownKeys []any
		for k, key := range keys {
			if own[texts[k].(string)] {
				ownKeys = append(ownKeys, key)
			}
		}
		legacy, err := a.joinLinks(ctx, q, j, j.from, ownKeys)
		if err != nil {
			return a.fail(ctx, err)
		}
		for k := range own {
			from := apos.EncodeKey(k)
			if !sameLinks(linksFrom(links, from), linksFrom(legacy, from)) {
				byKey[k].Modified = adapters.True
			}
		}
	}
	return nil
}

// linksFrom are the links of links from the record from, in order.
func linksFrom(links []adapters.Link, from string) []adapters.Link {
	var out []adapters.Link
	for _, l := range links {
		if l.From == from {
			out = append(out, l)
		}
	}
	return out
}
