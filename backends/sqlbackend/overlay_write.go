package sqlbackend

import (
	"context"
	"database/sql"
	"errors"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// insert creates a document in the shadow table: a default-locale draft,
// or a record of another locale (in published mode, with its draft).
func (o *overlay) insert(ctx context.Context, s apos.Scope, in *adapters.Insert) (*adapters.Record, error) {
	modes, err := insertModes(s.Mode)
	if err != nil {
		return nil, err
	}
	values, links := o.legacy.takeLinks(in.Values)
	values, slug, _ := o.legacy.takeSlug(values)
	cols, vals, err := o.shadow.assignments(values)
	if err != nil {
		return nil, err
	}
	if err := o.legacy.sweepFirst(ctx, s.Locale); err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		key, provisional, err := o.newKey(ctx, in.DocID)
		if err != nil {
			return nil, err
		}
		rec, err := o.legacy.inTx(ctx, func(tx *sql.Tx) (*adapters.Record, error) {
			if s.Locale == o.def {
				r, err := o.lock(ctx, tx, key)
				if err != nil || r.hasLive {
					return nil, orErr(err, apos.Wrap(apos.ErrConflict, sqldb.MsgConflict, nil))
				}
			}
			for _, m := range modes {
				if _, err := o.shadow.insertRow(ctx, tx, apos.Scope{Locale: s.Locale, Mode: m}, key, cols, vals); err != nil {
					return nil, err
				}
				if err := o.links().putAll(ctx, tx, key, apos.Scope{Locale: s.Locale, Mode: m}, links); err != nil {
					return nil, err
				}
			}
			if err := o.legacy.placeNew(ctx, tx, s, key, slug, values); err != nil {
				return nil, err
			}
			if err := o.legacy.inserted(ctx, tx, s, key); err != nil {
				return nil, err
			}
			return o.read(ctx, tx, s, apos.EncodeKey(keyText(key)), key)
		})
		// Two drafts created at once may take the same provisional key:
		// the second tries the next one.
		if provisional && try < 3 && errors.Is(err, apos.ErrConflict) {
			continue
		}
		return rec, err
	}
}

// newKey returns the key of a document created in the shadow table: the
// client's (_createId), a random one for text keys, or, for keys the
// database makes, a provisional negative one. Legacy sequences never give
// negative keys, nor does a negative key move them; the document's first
// publication in the default locale inserts its legacy row and takes the
// key the database gives it then.
func (o *overlay) newKey(ctx context.Context, docID string) (key any, provisional bool, err error) {
	switch {
	case docID != "":
		key, err := o.legacy.newKey(ctx, nil, docID)
		return key, false, err
	case !o.legacy.intKey:
		return randomID(), false, nil
	}
	var low sql.NullInt64
	text := "SELECT MIN(" + o.shadow.key + ") FROM " + o.shadow.table
	if err := o.legacy.db.QueryRowContext(ctx, text).Scan(&low); err != nil {
		return nil, false, o.legacy.fail(ctx, err)
	}
	return min(low.Int64, 0) - 1, true, nil
}

// isProvisional reports whether key is a provisional key of newKey.
func isProvisional(key any) bool {
	n, ok := key.(int64)
	return ok && n < 0
}

// update changes a draft, or a record of another locale. A default-locale
// draft that is still its legacy row gets a shadow row first. Links go to
// the store (docs/api-rules.md#176).
func (o *overlay) update(ctx context.Context, s apos.Scope, docID string, key any, change adapters.Change) (*adapters.Record, error) {
	return o.legacy.inTx(ctx, func(tx *sql.Tx) (*adapters.Record, error) {
		if _, ok, err := o.lockDraft(ctx, tx, s, key); err != nil || !ok {
			return nil, notFound(err)
		}
		cur, err := o.read(ctx, tx, s, docID, key)
		if err != nil {
			return nil, err
		}
		vals, err := change(cur)
		if err != nil || len(vals) == 0 {
			return cur, err
		}
		if s.Locale == o.def {
			if _, err := o.ownDraft(ctx, tx, key); err != nil {
				return nil, err
			}
		}
		vals, links := o.legacy.takeLinks(vals)
		if err := o.shadow.writeValues(ctx, tx, s, key, vals, cur.Fields); err != nil {
			return nil, err
		}
		if err := o.links().putAll(ctx, tx, key, s, links); err != nil {
			return nil, err
		}
		return o.readMarked(ctx, tx, s, docID, key)
	})
}

// delete deletes a record as a columns type would: a draft with its whole
// locale (the legacy row too, in the default locale), a published record
// with its previous copy, keeping the draft.
func (o *overlay) delete(ctx context.Context, s apos.Scope, docID string, key any, check adapters.Check) error {
	_, err := o.legacy.inTx(ctx, func(tx *sql.Tx) (*adapters.Record, error) {
		def := s.Locale == o.def
		if s.Mode == apos.Draft {
			if _, ok, err := o.lockDraft(ctx, tx, s, key); err != nil || !ok {
				return nil, notFound(err)
			}
		}
		cur, err := o.read(ctx, tx, s, docID, key)
		if err != nil {
			return nil, err
		}
		if err := check(cur); err != nil {
			return nil, err
		}
		modes := []apos.Mode{apos.Published, apos.Previous}
		switch {
		case s.Mode == apos.Draft:
			modes = append(modes, apos.Draft)
		case def:
			// The draft outlives its published record: it needs a row of
			// its own, made from no legacy row.
			if _, err := o.ownDraft(ctx, tx, key); err != nil {
				return nil, err
			}
			if err := o.setBase(ctx, tx, key, nil); err != nil {
				return nil, err
			}
		}
		if def {
			if err := o.legacy.deleteRow(ctx, tx, o.scope(apos.Published), key); err != nil {
				return nil, err
			}
		}
		if err := o.legacy.dropSlugs(ctx, tx, s, key); err != nil {
			return nil, err
		}
		return nil, o.legacy.store.forget(ctx, tx, key, s.Locale, modes...)
	})
	return err
}
