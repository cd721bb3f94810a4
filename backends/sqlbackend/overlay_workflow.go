package sqlbackend

import (
	"context"
	"database/sql"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// errChangedBehind answers the publication of a draft whose legacy row
// changed outside the proxy since the draft was made: publishing would
// silently overwrite that change.
var errChangedBehind = apos.NewError("conflict",
	`The published document was changed outside aposproxy since this draft was made. Publish with {"force":true} to replace it with the draft.`, nil)

// defaultVersions are the default locale's records as versions: the
// legacy rows as published records, previous copies in the shadow table.
func (o *overlay) defaultVersions() versions {
	return versions{rows: o.legacy, prev: o.shadow, st: o.legacy.store, locale: o.def}
}

// publish publishes the default-locale draft of key: its shadow row, if
// it has one, is written over the legacy row (or inserted as a new legacy
// row) and deleted, so that the draft is the legacy row again. The row it
// replaced becomes the previous copy. Unless force is set, a legacy row
// that changed since the draft was made is a conflict.
func (o *overlay) publish(ctx context.Context, tx *sql.Tx, docID string, key any, force bool) (*adapters.Record, error) {
	draft := o.scope(apos.Draft)
	r, err := o.lock(ctx, tx, key)
	if err != nil || !r.hasDraft && !r.hasLive {
		return nil, notFound(err)
	}
	if r.hasDraft && !force {
		if err := o.checkBase(ctx, tx, key, r.live, r.hasLive); err != nil {
			return nil, err
		}
	}
	now := time.Now().UTC()
	if r.hasLive {
		if err := o.defaultVersions().keepPrevious(ctx, tx, docID, key, o.legacy, r.live); err != nil {
			return nil, err
		}
		if err := o.links().snapshot(ctx, tx, key, o.scope(apos.Previous)); err != nil {
			return nil, err
		}
	}
	var title string
	if r.hasLive {
		title = o.legacy.titleCell(r.live)
	}
	if r.hasDraft {
		title = o.legacy.titleCell(r.draft)
		if docID, key, err = o.writeLive(ctx, tx, docID, key, r.draft, r.hasLive, now); err != nil {
			return nil, err
		}
	}
	// The draft's links reach the legacy join tables now, and only now.
	if err := o.links().publish(ctx, tx, key, key, draft); err != nil {
		return nil, err
	}
	if err := o.legacy.publishSlug(ctx, tx, key, o.def, title); err != nil {
		return nil, err
	}
	if err := o.legacy.store.published(ctx, tx, key, o.def, now); err != nil {
		return nil, err
	}
	return o.read(ctx, tx, draft, docID, key)
}

// checkBase refuses to publish over a legacy row that is not the one the
// draft was made from.
func (o *overlay) checkBase(ctx context.Context, tx *sql.Tx, key any, live *row, hasLive bool) error {
	base, err := o.base(ctx, tx, key)
	switch {
	case err != nil:
		return err
	case hasLive && (base == nil || *base != o.legacy.fingerprint(live)), !hasLive && base != nil:
		return errChangedBehind
	}
	return nil
}

// writeLive writes the draft d over the legacy row of key, or inserts it,
// and deletes the draft's shadow row. A document with a provisional key
// gets the key the database makes, and its records move to it; writeLive
// returns the document's aposDocId and key.
func (o *overlay) writeLive(ctx context.Context, tx *sql.Tx, docID string, key any, d *row, hasLive bool, now time.Time) (string, any, error) {
	pub := o.scope(apos.Published)
	if err := o.shadow.deleteRow(ctx, tx, o.scope(apos.Draft), key); err != nil {
		return "", nil, err
	}
	if hasLive {
		return docID, key, o.legacy.updateRow(ctx, tx, pub, key, o.shadow.contentValues(d, now, false))
	}
	newKey := key
	if isProvisional(key) {
		newKey = nil
	}
	newKey, err := o.legacy.insertValues(ctx, tx, pub, newKey, o.shadow.contentValues(d, now, true))
	if err != nil || newKey == key {
		return docID, key, err
	}
	newID := apos.EncodeKey(keyText(newKey))
	text := "UPDATE " + o.shadow.table + " SET " + o.shadow.key + " = ? WHERE " + o.shadow.key + " = ?"
	if _, err := tx.ExecContext(ctx, o.shadow.db.Rebind(text), newKey, key); err != nil {
		return "", nil, err
	}
	if sl := o.legacy.slugs; sl != nil {
		if err := sl.rename(ctx, tx, key, newKey); err != nil {
			return "", nil, err
		}
	}
	if err := o.links().rename(ctx, tx, key, newKey); err != nil {
		return "", nil, err
	}
	return newID, newKey, o.legacy.store.renameMeta(ctx, tx, docID, newID)
}

// unpublish deletes the legacy row; the draft keeps its content in a shadow
// row made from no legacy row.
func (o *overlay) unpublish(ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error) {
	live, err := o.ownDraft(ctx, tx, key)
	if err != nil || live == nil {
		return nil, notFound(err)
	}
	if err := o.setBase(ctx, tx, key, nil); err != nil {
		return nil, err
	}
	if err := o.legacy.deleteRow(ctx, tx, o.scope(apos.Published), key); err != nil {
		return nil, err
	}
	st := o.legacy.store
	if err := st.forget(ctx, tx, key, o.def, apos.Published, apos.Previous); err != nil {
		return nil, err
	}
	draft := o.scope(apos.Draft)
	if err := st.edit(ctx, tx, key, draft, setMember(memberLastPublished, []byte("null"))); err != nil {
		return nil, err
	}
	return o.read(ctx, tx, draft, docID, key)
}

// revertDraft drops the draft's shadow row, so that the draft is the legacy
// row again; nil when the draft has no changes or was never published.
func (o *overlay) revertDraft(ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error) {
	draft := o.scope(apos.Draft)
	r, err := o.lock(ctx, tx, key)
	switch {
	case err != nil || !r.hasDraft && !r.hasLive:
		return nil, notFound(err)
	case !r.hasDraft || !r.hasLive:
		return nil, nil
	case o.legacy.sameContent(r.draft, r.live):
		if same, err := o.links().sameScopes(ctx, tx, key, draft, o.scope(apos.Published)); err != nil || same {
			return nil, err
		}
	}
	if err := o.shadow.deleteRow(ctx, tx, draft, key); err != nil {
		return nil, err
	}
	if err := o.links().drop(ctx, tx, key, o.def, apos.Draft); err != nil {
		return nil, err
	}
	if err := o.legacy.revertSlug(ctx, tx, key, o.def); err != nil {
		return nil, err
	}
	return o.read(ctx, tx, draft, docID, key)
}

// revertPublished restores the legacy row from the previous copy. The
// draft keeps its content, in a shadow row made from the restored row.
func (o *overlay) revertPublished(ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error) {
	pub := o.scope(apos.Published)
	live, err := o.ownDraft(ctx, tx, key)
	if err != nil || live == nil {
		return nil, notFound(err)
	}
	// The previous copy's links, if it kept some, are the legacy row's again.
	if err := o.links().publish(ctx, tx, key, key, o.scope(apos.Previous)); err != nil {
		return nil, err
	}
	prev, err := o.defaultVersions().usePrevious(ctx, tx, docID, key)
	if err != nil {
		return nil, err
	}
	if err := o.legacy.updateRow(ctx, tx, pub, key, o.shadow.contentValues(prev, time.Now().UTC(), false)); err != nil {
		return nil, err
	}
	restored, _, err := o.legacy.lockRow(ctx, tx, pub, key)
	if err != nil {
		return nil, err
	}
	fp := o.legacy.fingerprint(restored)
	if err := o.setBase(ctx, tx, key, &fp); err != nil {
		return nil, err
	}
	return o.read(ctx, tx, pub, docID, key)
}
