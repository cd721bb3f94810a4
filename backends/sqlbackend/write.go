package sqlbackend

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
)

// Insert implements adapters.Adapter. For a columns type, a published
// insertModes are the modes an insert in mode m writes: a published
// document gets its draft too.
func insertModes(m apos.Mode) ([]apos.Mode, error) {
	switch m {
	case apos.Published:
		return []apos.Mode{apos.Published, apos.Draft}, nil
	case apos.Draft:
		return []apos.Mode{apos.Draft}, nil
	}
	return nil, apos.Errorf(apos.ErrInvalid, "Documents are created in draft or published mode.")
}

// insert writes the published row and then the draft row with the same
// values (and the key the first got); a draft insert writes the draft only.
func (a *Adapter) Insert(ctx context.Context, s apos.Scope, in *adapters.Insert) (*adapters.Record, error) {
	if a.ov.serves(s) {
		return a.ov.insert(ctx, s, in)
	}
	inTx := in.DocID == "" && (a.t.NewKeys == config.NewKeysMax || a.t.NewKeys == config.NewKeysSequence)
	var key any
	var err error
	if !inTx {
		if key, err = a.newKey(ctx, nil, in.DocID); err != nil {
			return nil, err
		}
	}
	modes := []apos.Mode{s.Mode}
	if a.mode != nil {
		if modes, err = insertModes(s.Mode); err != nil {
			return nil, err
		}
	}
	if _, ok := a.scopeArgs(nil, s); !ok {
		return nil, apos.Errorf(apos.ErrInvalid, "This type has no locale %q.", s.Locale)
	}
	scopes := make([]apos.Scope, len(modes))
	for i, m := range modes {
		scopes[i] = apos.Scope{Locale: s.Locale, Mode: m}
	}
	if err := a.sweepFirst(ctx, s.Locale); err != nil {
		return nil, err
	}
	return a.inTx(ctx, func(tx *sql.Tx) (*adapters.Record, error) {
		key := key
		if inTx {
			if a.t.NewKeys == config.NewKeysMax {
				defer a.db.EndMax(ctx, tx, a.table)
			}
			var err error
			if key, err = a.newKey(ctx, tx, ""); err != nil {
				return nil, err
			}
		}
		return a.insertScopes(ctx, tx, s, scopes, key, in.Values)
	})
}

// insertScopes inserts the rows of a new document in scopes (the first is
// the one that may make the key), with its slug, and reads the record of
// scope s back.
func (a *Adapter) insertScopes(ctx context.Context, tx *sql.Tx, s apos.Scope, scopes []apos.Scope, key any, vals []adapters.Value) (*adapters.Record, error) {
	vals, links := a.takeLinks(vals)
	vals, slug, _ := a.takeSlug(vals)
	vals, err := a.uniqueSlugColumn(ctx, tx, scopes, key, vals, true)
	if err != nil {
		return nil, err
	}
	cols, args, err := a.assignments(vals)
	if err != nil {
		return nil, err
	}
	for _, sc := range scopes {
		if key, err = a.insertRow(ctx, tx, sc, key, cols, args); err != nil {
			return nil, err
		}
	}
	if err := a.writeLinks(ctx, tx, key, links); err != nil {
		return nil, err
	}
	if err := a.placeNew(ctx, tx, s, key, slug, vals); err != nil {
		return nil, err
	}
	if err := a.inserted(ctx, tx, s, key); err != nil {
		return nil, err
	}
	return a.read(ctx, tx, a.get, s, a.docIDOf(keyText(key)), key)
}

// insertRow inserts one row in scope s and returns its key: key itself,
// or the one the database made when key is nil.
func (a *Adapter) insertRow(ctx context.Context, tx *sql.Tx, s apos.Scope, key any, cols []string, vals []any) (any, error) {
	names, args := a.keyColumns(key)
	for _, m := range []*valueMap{a.locale, a.mode} {
		if m != nil {
			names = append(names, m.column)
		}
	}
	args, _ = a.scopeArgs(args, s)
	names, args = append(names, cols...), append(args, vals...)
	text := "INSERT INTO " + a.table + " (" + strings.Join(names, ", ") + ") VALUES (?" +
		strings.Repeat(", ?", len(names)-1) + ")"
	switch {
	case key != nil:
		_, err := tx.ExecContext(ctx, a.db.Rebind(text), args...)
		return key, a.fail(ctx, err)
	case a.db.Returning():
		var id int64
		err := tx.QueryRowContext(ctx, a.db.Rebind(text+" RETURNING "+a.key), args...).Scan(&id)
		return id, a.failInsert(ctx, err)
	}
	res, err := tx.ExecContext(ctx, a.db.Rebind(text), args...)
	if err != nil {
		return nil, a.failInsert(ctx, err)
	}
	id, err := res.LastInsertId()
	return id, a.fail(ctx, err)
}

// keyColumns returns the key's columns and values of an insert: none
// when key is nil (the database makes it), a composite key's parts.
func (a *Adapter) keyColumns(key any) (names []string, args []any) {
	if key == nil {
		return nil, nil
	}
	if !a.composite() {
		return []string{a.key}, []any{key}
	}
	parts, _ := apos.SplitKey(key.(string), len(a.parts))
	vals, _ := a.partValues(parts)
	for i := range a.parts {
		names = append(names, a.parts[i].column)
	}
	return names, vals
}

// failInsert maps the error of an insert whose key the database was to
// make: a key column without a default is missingKey's error.
func (a *Adapter) failInsert(ctx context.Context, err error) error {
	if err != nil && a.keyColumnMissing(ctx, err) {
		return a.missingKey()
	}
	return a.fail(ctx, err)
}

// keyText is the text of a key value (a string, or an int64 the database
// made).
func keyText(key any) string {
	if n, ok := key.(int64); ok {
		return strconv.FormatInt(n, 10)
	}
	return key.(string)
}

// assignments returns the quoted columns and bound values of vals.
func (a *Adapter) assignments(vals []adapters.Value) (cols []string, args []any, err error) {
	for _, v := range vals {
		f := a.field(v.Field)
		if f == nil {
			return nil, nil, apos.Invalid(v.Field, "invalid", "")
		}
		if err := f.fits(v.V); err != nil {
			return nil, nil, err
		}
		if n, ok := v.V.(int64); ok {
			if lo, hi := a.schema.Fields[a.byName[f.name]].IntRange(); n < lo || n > hi {
				return nil, nil, apos.Invalid(f.name, "invalid", sqldb.ReasonMsg(f.name, sqldb.ReasonRange))
			}
		}
		cols, args = append(cols, f.quoted), append(args, a.bindField(f, v.V))
	}
	return cols, args, nil
}

// Update implements adapters.Adapter.
func (a *Adapter) Update(ctx context.Context, s apos.Scope, docID string, change adapters.Change) (*adapters.Record, error) {
	key, ok := a.keyOf(docID)
	if !ok {
		return nil, apos.ErrNotFound
	}
	if err := a.sweepFirst(ctx, s.Locale); err != nil {
		return nil, err
	}
	if a.ov.serves(s) {
		return a.ov.update(ctx, s, docID, key, change)
	}
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	defer tx.Rollback()
	cur, err := a.read(ctx, tx, a.lock, s, docID, key)
	if err != nil {
		return nil, err
	}
	vals, err := change(cur)
	if err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return cur, a.fail(ctx, tx.Commit())
	}
	if err := a.writeValues(ctx, tx, s, key, vals, cur.Fields); err != nil {
		return nil, err
	}
	if err := a.ov.rebase(ctx, tx, key); err != nil {
		return nil, a.fail(ctx, err)
	}
	rec, err := a.read(ctx, tx, a.get, s, docID, key)
	if err != nil {
		return nil, err
	}
	return rec, a.fail(ctx, tx.Commit())
}

// writeValues writes a change's values to the row of key in scope s, and
// its slug when it sets one; cur is the record's fields before.
func (a *Adapter) writeValues(ctx context.Context, tx *sql.Tx, s apos.Scope, key any, vals []adapters.Value, cur []byte) error {
	vals, links := a.takeLinks(vals)
	if err := a.writeLinks(ctx, tx, key, links); err != nil {
		return err
	}
	vals, slug, given := a.takeSlug(vals)
	vals, err := a.uniqueSlugColumn(ctx, tx, []apos.Scope{s}, key, vals, false)
	if err != nil {
		return a.fail(ctx, err)
	}
	if err := a.updateRow(ctx, tx, s, key, vals); err != nil {
		return err
	}
	if given {
		return a.fail(ctx, a.setSlug(ctx, tx, s, key, slug, vals, cur))
	}
	return nil
}

// Delete implements adapters.Adapter. Deleting the draft of a columns type
// deletes every mode of its key and locale; deleting the published record
// leaves the draft.
func (a *Adapter) Delete(ctx context.Context, s apos.Scope, docID string, check adapters.Check) error {
	key, ok := a.keyOf(docID)
	if !ok {
		return apos.ErrNotFound
	}
	if a.ov != nil {
		return a.ov.delete(ctx, s, docID, key, check)
	}
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return a.fail(ctx, err)
	}
	defer tx.Rollback()
	if err := a.lockPageTree(ctx, tx, s); err != nil {
		return err
	}
	cur, err := a.read(ctx, tx, a.lock, s, docID, key)
	if err != nil {
		return err
	}
	if err := check(cur); err != nil {
		return err
	}
	if err := a.deletingPage(ctx, tx, s, docID); err != nil {
		return err
	}
	// The scope is valid: its record was just read. Deleting a draft
	// deletes the published row too: two rows at most.
	text := "DELETE FROM " + a.table + " WHERE " + a.key + " = ?"
	args, most := []any{key}, int64(1)
	if a.locale != nil {
		v, _ := a.locale.db(s.Locale)
		text += " AND " + a.locale.column + " = ?"
		args = append(args, v)
	}
	if a.mode != nil && s.Mode != apos.Draft {
		v, _ := a.mode.db(string(s.Mode))
		text += " AND " + a.mode.column + " = ?"
		args = append(args, v)
	} else if a.mode != nil {
		most = 2
	}
	if err := a.deleteWhere(ctx, tx, text, args, most); err != nil {
		return err
	}
	if err := a.deleted(ctx, tx, s, key); err != nil {
		return err
	}
	if a.locale == nil && (a.mode == nil || s.Mode == apos.Draft) {
		// Every row of the key is gone: so are its links.
		if err := a.dropLinks(ctx, tx, key); err != nil {
			return err
		}
	}
	if err := a.dropSlugs(ctx, tx, s, key); err != nil {
		return a.fail(ctx, err)
	}
	return a.fail(ctx, tx.Commit())
}
