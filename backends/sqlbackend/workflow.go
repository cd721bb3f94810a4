package sqlbackend

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

var _ adapters.Workflow = (*Adapter)(nil)

// provision creates the store of a localized type with drafts (columns
// types that may be written, and overlay types), and an overlay's views.
func (a *Adapter) provision(ctx context.Context) error {
	switch {
	case !a.schema.Localized, a.schema.Storage == apos.Autopublish,
		a.schema.Storage == apos.Columns && a.t.ReadOnly:
		return nil
	}
	st, err := newStore(ctx, a)
	if err != nil {
		return err
	}
	a.store = st
	if a.schema.Storage == apos.Overlay {
		if a.ov, err = newOverlay(ctx, a); err != nil {
			return err
		}
		if st.links, err = newStoreLinks(ctx, a); err != nil {
			return fmt.Errorf("creating the store table %s: %w", linksTable, err)
		}
	}
	return nil
}

// workflow runs one workflow operation on docID in one transaction, once
// every record of the locales it works in has a slug.
func (a *Adapter) workflow(ctx context.Context, docID string, locales []string, fn func(tx *sql.Tx, key any) (*adapters.Record, error)) (*adapters.Record, error) {
	if a.store == nil {
		return nil, apos.Errorf(apos.ErrInvalid, "Documents of this type have no drafts to publish.")
	}
	key, ok := a.keyOf(docID)
	if !ok {
		return nil, apos.ErrNotFound
	}
	for _, locale := range locales {
		if err := a.sweepFirst(ctx, locale); err != nil {
			return nil, err
		}
	}
	return a.inTx(ctx, func(tx *sql.Tx) (*adapters.Record, error) { return fn(tx, key) })
}

// lifecycle is the workflow of one locale's records: versions, or an
// overlay's default locale, which has its own rules (overlay_workflow.go).
type lifecycle interface {
	publish(ctx context.Context, tx *sql.Tx, docID string, key any, force bool) (*adapters.Record, error)
	unpublish(ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error)
	revertDraft(ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error)
	revertPublished(ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error)
}

// lifecycle returns the workflow of a's documents in locale.
func (a *Adapter) lifecycle(locale string) lifecycle {
	if a.ov != nil && locale == a.defaultLocale {
		return a.ov
	}
	return a.versions(locale)
}

// inLocale runs op, a lifecycle operation, on docID in locale in one
// transaction; with slugs, once every record of the locale has a slug
// (for the operations that copy one).
func (a *Adapter) inLocale(ctx context.Context, locale, docID string, slugs bool,
	op func(lifecycle, context.Context, *sql.Tx, string, any) (*adapters.Record, error)) (*adapters.Record, error) {
	var locales []string
	if slugs {
		locales = []string{locale}
	}
	return a.workflow(ctx, docID, locales, func(tx *sql.Tx, key any) (*adapters.Record, error) {
		return op(a.lifecycle(locale), ctx, tx, docID, key)
	})
}

// versions are the records of one locale of a type whose drafts and
// published records are rows of one table told apart by a mode column
// (a columns type's legacy table, or an overlay's shadow table for the
// locales other than the default one), and whose previous copies are rows
// of the shadow table.
type versions struct {
	rows, prev *Adapter
	st         *store
	locale     string
}

// versions returns the versions of a's documents in locale; an overlay's
// default locale has its own rules (overlay.go).
func (a *Adapter) versions(locale string) versions {
	if a.ov != nil {
		return versions{rows: a.store.shadow, prev: a.store.shadow, st: a.store, locale: locale}
	}
	return versions{rows: a, prev: a.store.shadow, st: a.store, locale: locale}
}

// scope returns the scope of mode m in v's locale.
func (v versions) scope(m apos.Mode) apos.Scope {
	return apos.Scope{Locale: v.locale, Mode: m}
}

// Publish implements adapters.Workflow.
func (a *Adapter) Publish(ctx context.Context, locale, docID string, opts adapters.PublishOptions) (*adapters.Record, error) {
	return a.inLocale(ctx, locale, docID, true, func(l lifecycle, ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error) {
		rec, err := l.publish(ctx, tx, docID, key, opts.Force)
		if err == nil {
			err = a.publishArchived(ctx, tx, locale, docID)
		}
		return rec, err
	})
}

// publish copies the draft over the published record, keeping the one it
// replaces as the previous copy. There is no legacy row behind the
// proxy's back to conflict with, so force does not matter.
func (v versions) publish(ctx context.Context, tx *sql.Tx, docID string, key any, _ bool) (*adapters.Record, error) {
	d, ok, err := v.rows.lockRow(ctx, tx, v.scope(apos.Draft), key)
	if err != nil || !ok {
		return nil, notFound(err)
	}
	p, hasPub, err := v.rows.lockRow(ctx, tx, v.scope(apos.Published), key)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if hasPub {
		if err := v.keepPrevious(ctx, tx, docID, key, v.rows, p); err != nil {
			return nil, err
		}
		err = v.rows.updateRow(ctx, tx, v.scope(apos.Published), key, v.rows.contentValues(d, now, false))
	} else {
		_, err = v.rows.insertValues(ctx, tx, v.scope(apos.Published), key, v.rows.contentValues(d, now, true))
	}
	if err != nil {
		return nil, err
	}
	if err := v.st.links.copyScope(ctx, tx, key, v.scope(apos.Draft), v.scope(apos.Published)); err != nil {
		return nil, err
	}
	if err := v.rows.publishSlug(ctx, tx, key, v.locale, v.rows.titleCell(d)); err != nil {
		return nil, err
	}
	if err := v.st.published(ctx, tx, key, v.locale, now); err != nil {
		return nil, err
	}
	return v.rows.read(ctx, tx, v.rows.get, v.scope(apos.Draft), docID, key)
}

// keepPrevious makes the published row p, read from from, the previous
// copy of the locale, members included, replacing any older one.
func (v versions) keepPrevious(ctx context.Context, tx *sql.Tx, docID string, key any, from *Adapter, p *row) error {
	prev := v.scope(apos.Previous)
	if err := v.prev.deleteRow(ctx, tx, prev, key); err != nil {
		return err
	}
	if _, err := v.prev.insertValues(ctx, tx, prev, key, from.allValues(p)); err != nil {
		return err
	}
	if err := v.st.links.copyScope(ctx, tx, key, v.scope(apos.Published), prev); err != nil {
		return err
	}
	return v.st.copyMeta(ctx, tx, key, v.scope(apos.Published), prev)
}

// published records a publication at now: lastPublishedAt on both records
// of the locale, and the draft's submission dismissed.
func (st *store) published(ctx context.Context, tx *sql.Tx, key any, locale string, now time.Time) error {
	if err := st.edit(ctx, tx, key, apos.Scope{Locale: locale, Mode: apos.Published},
		setMemberTime(memberLastPublished, now)); err != nil {
		return err
	}
	return st.edit(ctx, tx, key, apos.Scope{Locale: locale, Mode: apos.Draft},
		setMemberTime(memberLastPublished, now), dropMember(memberSubmitted))
}

// Unpublish implements adapters.Workflow.
func (a *Adapter) Unpublish(ctx context.Context, locale, docID string) (*adapters.Record, error) {
	return a.inLocale(ctx, locale, docID, false, func(l lifecycle, ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error) {
		rec, err := l.unpublish(ctx, tx, docID, key)
		if err == nil && a.t.IsPageTree() {
			err = a.setArchived(ctx, tx, apos.Scope{Locale: locale, Mode: apos.Published}, docID, -1)
		}
		return rec, err
	})
}

func (v versions) unpublish(ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error) {
	draft, pub := v.scope(apos.Draft), v.scope(apos.Published)
	_, hasDraft, err := v.rows.lockRow(ctx, tx, draft, key)
	if err != nil {
		return nil, err
	}
	p, ok, err := v.rows.lockRow(ctx, tx, pub, key)
	if err != nil || !ok {
		return nil, notFound(err)
	}
	if !hasDraft {
		if _, err := v.rows.insertValues(ctx, tx, draft, key, v.rows.allValues(p)); err != nil {
			return nil, err
		}
	}
	if err := v.rows.deleteRow(ctx, tx, pub, key); err != nil {
		return nil, err
	}
	if err := v.st.forget(ctx, tx, key, v.locale, apos.Published, apos.Previous); err != nil {
		return nil, err
	}
	if err := v.st.edit(ctx, tx, key, draft, setMember(memberLastPublished, []byte("null"))); err != nil {
		return nil, err
	}
	return v.rows.read(ctx, tx, v.rows.get, draft, docID, key)
}

// forget deletes the shadow rows and the members of key's records in
// locale, in the given modes.
func (st *store) forget(ctx context.Context, tx *sql.Tx, key any, locale string, modes ...apos.Mode) error {
	for _, m := range modes {
		if err := st.shadow.deleteRow(ctx, tx, apos.Scope{Locale: locale, Mode: m}, key); err != nil {
			return err
		}
	}
	if err := st.links.drop(ctx, tx, key, locale, modes...); err != nil {
		return err
	}
	return st.dropMeta(ctx, tx, key, locale, modes...)
}

// RevertDraftToPublished implements adapters.Workflow.
func (a *Adapter) RevertDraftToPublished(ctx context.Context, locale, docID string) (*adapters.Record, error) {
	return a.inLocale(ctx, locale, docID, true, lifecycle.revertDraft)
}

func (v versions) revertDraft(ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error) {
	d, ok, err := v.rows.lockRow(ctx, tx, v.scope(apos.Draft), key)
	if err != nil || !ok {
		return nil, notFound(err)
	}
	p, hasPub, err := v.rows.lockRow(ctx, tx, v.scope(apos.Published), key)
	if err != nil || !hasPub {
		return nil, err
	}
	if v.rows.sameContent(d, p) {
		if same, err := v.st.links.sameScopes(ctx, tx, key, v.scope(apos.Draft), v.scope(apos.Published)); err != nil || same {
			return nil, err
		}
	}
	if err := v.rows.updateRow(ctx, tx, v.scope(apos.Draft), key, v.rows.allValues(p)); err != nil {
		return nil, err
	}
	if err := v.st.links.copyScope(ctx, tx, key, v.scope(apos.Published), v.scope(apos.Draft)); err != nil {
		return nil, err
	}
	if err := v.rows.revertSlug(ctx, tx, key, v.locale); err != nil {
		return nil, err
	}
	return v.rows.read(ctx, tx, v.rows.get, v.scope(apos.Draft), docID, key)
}

// RevertPublishedToPrevious implements adapters.Workflow.
func (a *Adapter) RevertPublishedToPrevious(ctx context.Context, locale, docID string) (*adapters.Record, error) {
	return a.inLocale(ctx, locale, docID, false, lifecycle.revertPublished)
}

func (v versions) revertPublished(ctx context.Context, tx *sql.Tx, docID string, key any) (*adapters.Record, error) {
	pub := v.scope(apos.Published)
	if _, _, err := v.rows.lockRow(ctx, tx, v.scope(apos.Draft), key); err != nil {
		return nil, err
	}
	if _, ok, err := v.rows.lockRow(ctx, tx, pub, key); err != nil || !ok {
		return nil, notFound(err)
	}
	if err := v.st.links.copyScope(ctx, tx, key, v.scope(apos.Previous), pub); err != nil {
		return nil, err
	}
	prev, err := v.usePrevious(ctx, tx, docID, key)
	if err != nil {
		return nil, err
	}
	if err := v.rows.updateRow(ctx, tx, pub, key, v.prev.contentValues(prev, time.Now().UTC(), false)); err != nil {
		return nil, err
	}
	return v.rows.read(ctx, tx, v.rows.get, pub, docID, key)
}

// errNoPrevious answers a revert to a previous copy that does not exist
// (never published twice, or already reverted).
var errNoPrevious = apos.Errorf(apos.ErrInvalid, "There is no previous version to revert to.")

// usePrevious takes the previous copy of the locale: it returns its row and
// deletes it, giving the published record the copy's lastPublishedAt.
func (v versions) usePrevious(ctx context.Context, tx *sql.Tx, docID string, key any) (*row, error) {
	prevScope := v.scope(apos.Previous)
	prev, ok, err := v.prev.lockRow(ctx, tx, prevScope, key)
	if err != nil || !ok {
		return nil, orErr(err, errNoPrevious)
	}
	obj, err := v.st.object(ctx, tx, key, prevScope)
	if err != nil {
		return nil, err
	}
	if last := gjson.GetBytes(obj, memberLastPublished); last.Exists() {
		err = v.st.edit(ctx, tx, key, v.scope(apos.Published), setMember(memberLastPublished, []byte(last.Raw)))
		if err != nil {
			return nil, err
		}
	}
	if err := v.st.forget(ctx, tx, key, v.locale, apos.Previous); err != nil {
		return nil, err
	}
	return prev, nil
}

// notFound is err, or ErrNotFound when err is nil.
func notFound(err error) error { return orErr(err, apos.ErrNotFound) }

// orErr is err, or alt when err is nil.
func orErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}
