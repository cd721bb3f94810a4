package sqlbackend

import (
	"context"
	"database/sql"
	"errors"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// overlay serves a type with storage "overlay" (docs/api-rules.md#14), whose legacy
// table holds only the default locale's published records. Everything else
// lives in the store's shadow table: the default locale's drafts that
// differ from their legacy row (with the fingerprint of the row they were
// made from), previous copies, and every record of the other locales. A
// default-locale draft without a shadow row is its legacy row, unmodified.
type overlay struct {
	legacy *Adapter // the type's own adapter, over the legacy table
	shadow *Adapter // the shadow table, by its locale and mode columns
	// drafts is the shadow table too, but its default-locale drafts are
	// compared with the legacy rows to tell whether they are modified.
	drafts *Adapter
	// merged lists every default-locale draft: the shadow table's, and the
	// legacy rows that have none, as one derived table.
	merged *Adapter
	def    string // the default locale
}

// newOverlay builds the views of an overlay type on its store.
func newOverlay(ctx context.Context, a *Adapter) (*overlay, error) {
	sh := a.store.shadow
	o := &overlay{legacy: a, shadow: sh, def: a.defaultLocale}
	o.drafts = a.view(sh.table, sh.locale, sh.mode)
	o.drafts.pub = a
	if err := o.drafts.prepare(ctx); err != nil {
		return nil, a.fail(ctx, err)
	}
	// The default locale is a configured name ([A-Za-z0-9_-]+, checked by
	// the configuration), written as a literal so that the derived table
	// has no placeholders before the list's own.
	inShadow := sh.table + " WHERE " + sh.locale.column + " = '" + o.def + "' AND " +
		sh.mode.column + " = '" + string(apos.Draft) + "'"
	o.merged = a.view("(SELECT "+a.columns+" FROM "+a.table+" WHERE "+a.key+" NOT IN (SELECT "+a.key+" FROM "+
		inShadow+") UNION ALL SELECT "+a.columns+" FROM "+inShadow+") AS aposproxy_drafts", nil, nil)
	o.merged.pub = a
	return o, nil
}

// viewOf returns the adapter that lists records of scope s, or nil when
// the legacy table does (the default locale's published records).
func (o *overlay) viewOf(s apos.Scope) *Adapter {
	switch {
	case o == nil:
		return nil
	case s.Locale != o.def:
		return o.shadow
	case s.Mode == apos.Draft:
		return o.merged
	}
	return nil
}

// serves reports whether writes in scope s are the overlay's: all but
// those of the default locale's published records.
func (o *overlay) serves(s apos.Scope) bool {
	return o != nil && (s.Locale != o.def || s.Mode != apos.Published)
}

// read reads the record of key in scope s, within tx unless it is nil.
func (o *overlay) read(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string, key any) (*adapters.Record, error) {
	switch {
	case s.Locale != o.def:
		return o.shadow.read(ctx, tx, o.shadow.get, s, docID, key)
	case s.Mode == apos.Draft:
		rec, err := o.drafts.read(ctx, tx, o.drafts.get, s, docID, key)
		if !errors.Is(err, apos.ErrNotFound) {
			return rec, err
		}
	}
	// The legacy row: the published record, or a draft that has no row of
	// its own (the legacy adapter reads it unmodified, with the draft's
	// members).
	return o.legacy.read(ctx, tx, o.legacy.get, s, docID, key)
}

// readMarked is read, with a draft whose links differ from the legacy
// row's flagged modified (docs/api-rules.md#176).
func (o *overlay) readMarked(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string, key any) (*adapters.Record, error) {
	rec, err := o.read(ctx, tx, s, docID, key)
	if err != nil {
		return nil, err
	}
	var q execer = o.legacy.db
	if tx != nil {
		q = tx
	}
	recs := []adapters.Record{*rec}
	if err := o.legacy.markLinksModified(ctx, q, s, recs); err != nil {
		return nil, err
	}
	return &recs[0], nil
}

// scope returns the default locale's scope of mode m.
func (o *overlay) scope(m apos.Mode) apos.Scope {
	return apos.Scope{Locale: o.def, Mode: m}
}

// rows are the two rows of a default-locale document, read and locked:
// the legacy row (the published record), and the draft's shadow row.
type rows struct {
	live, draft       *row
	hasLive, hasDraft bool
}

// lock reads and locks the default-locale rows of key, always the legacy
// row first, so that operations on one document queue on it rather than
// deadlock.
func (o *overlay) lock(ctx context.Context, tx *sql.Tx, key any) (rows, error) {
	var r rows
	var err error
	if r.live, r.hasLive, err = o.legacy.lockRow(ctx, tx, o.scope(apos.Published), key); err != nil {
		return r, err
	}
	r.draft, r.hasDraft, err = o.shadow.lockRow(ctx, tx, o.scope(apos.Draft), key)
	return r, err
}

// lockDraft reads and locks the row holding the draft of scope s.
func (o *overlay) lockDraft(ctx context.Context, tx *sql.Tx, s apos.Scope, key any) (*row, bool, error) {
	if s.Locale != o.def {
		return o.shadow.lockRow(ctx, tx, s, key)
	}
	r, err := o.lock(ctx, tx, key)
	if r.hasDraft || err != nil {
		return r.draft, r.hasDraft, err
	}
	return r.live, r.hasLive, nil
}

// ownDraft makes sure that the default-locale draft of key, when it is the
// legacy row, gets a shadow row of its own before it changes: a copy of
// the legacy row, with its fingerprint. It returns the legacy row, or nil
// when there is none.
func (o *overlay) ownDraft(ctx context.Context, tx *sql.Tx, key any) (live *row, err error) {
	r, err := o.lock(ctx, tx, key)
	switch {
	case err != nil || !r.hasLive:
		return nil, err
	case r.hasDraft:
		// A draft made before its links were kept gets them now.
		return r.live, o.links().snapshot(ctx, tx, key, o.scope(apos.Draft))
	}
	if _, err := o.shadow.insertValues(ctx, tx, o.scope(apos.Draft), key, o.legacy.allValues(r.live)); err != nil {
		return nil, err
	}
	fp := o.legacy.fingerprint(r.live)
	if err := o.setBase(ctx, tx, key, &fp); err != nil {
		return nil, err
	}
	return r.live, o.links().snapshot(ctx, tx, key, o.scope(apos.Draft))
}

// links is the store's links of the overlay type (overlay_links.go), or
// nil when it has no join-table relationship.
func (o *overlay) links() *storeLinks { return o.legacy.store.links }

// rebase follows a write of the legacy row of key through the proxy: the
// draft's shadow row, if any, now counts as made from the row as written,
// since only changes made behind the proxy's back are conflicts. Nothing
// happens without an overlay.
func (o *overlay) rebase(ctx context.Context, tx *sql.Tx, key any) error {
	if o == nil {
		return nil
	}
	r, err := o.lock(ctx, tx, key)
	if err != nil || !r.hasDraft || !r.hasLive {
		return err
	}
	fp := o.legacy.fingerprint(r.live)
	return o.setBase(ctx, tx, key, &fp)
}

// setBase records the fingerprint of the legacy row the default-locale
// draft of key was made from; nil means none.
func (o *overlay) setBase(ctx context.Context, tx *sql.Tx, key any, fp *string) error {
	var v any
	if fp != nil {
		v = *fp
	}
	args, _ := o.shadow.scopeArgs([]any{v, key}, o.scope(apos.Draft))
	text := "UPDATE " + o.shadow.table + " SET " + o.shadow.store.base + " = ? WHERE " + o.shadow.key + " = ? AND " + o.shadow.scope
	_, err := tx.ExecContext(ctx, o.shadow.db.Rebind(text), args...)
	return err
}

// base returns the fingerprint recorded on the default-locale draft of key.
func (o *overlay) base(ctx context.Context, tx *sql.Tx, key any) (*string, error) {
	args, _ := o.shadow.scopeArgs([]any{key}, o.scope(apos.Draft))
	text := "SELECT " + o.shadow.store.base + " FROM " + o.shadow.table + " WHERE " + o.shadow.key + " = ? AND " + o.shadow.scope
	var fp sql.NullString
	if err := tx.QueryRowContext(ctx, o.shadow.db.Rebind(text), args...).Scan(&fp); err != nil {
		return nil, err
	}
	if !fp.Valid {
		return nil, nil
	}
	return &fp.String, nil
}

// locales lists the scopes of key's records: the legacy row's (published
// and, as its draft, draft) and the shadow table's.
func (o *overlay) locales(ctx context.Context, key any) ([]apos.Scope, error) {
	out, err := o.shadow.scopesOf(ctx, key)
	if err != nil {
		return nil, err
	}
	r := o.legacy.getRow()
	defer o.legacy.rows.Put(r)
	found, err := o.legacy.readRow(ctx, nil, o.legacy.get, o.scope(apos.Published), key, r)
	if err != nil || !found {
		return out, err
	}
	out = append(out, o.scope(apos.Published))
	for _, s := range out {
		if s == o.scope(apos.Draft) {
			return out, nil
		}
	}
	return append(out, o.scope(apos.Draft)), nil
}
