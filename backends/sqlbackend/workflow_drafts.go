package sqlbackend

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// Localize implements adapters.Workflow.
func (a *Adapter) Localize(ctx context.Context, docID, from, to string, update bool) (*adapters.Record, error) {
	if from == to {
		return nil, apos.Errorf(apos.ErrInvalid, "The document is already in locale %q.", to)
	}
	return a.workflow(ctx, docID, []string{from, to}, func(tx *sql.Tx, key any) (*adapters.Record, error) {
		src, ok, err := a.lockDraft(ctx, tx, from, key)
		if err != nil || !ok {
			return nil, notFound(err)
		}
		_, exists, err := a.lockDraft(ctx, tx, to, key)
		if err != nil {
			return nil, err
		}
		if exists && !update {
			return nil, apos.Errorf(apos.ErrConflict, "The document already exists in locale %q; send update: true to replace it.", to)
		}
		now := time.Now().UTC()
		if err := a.writeDraft(ctx, tx, to, key, a.contentValues(src, now, !exists)); err != nil {
			return nil, err
		}
		if err := a.localizeLinks(ctx, tx, key, from, to); err != nil {
			return nil, err
		}
		if err := a.localizeSlug(ctx, tx, key, from, to, a.titleCell(src), exists); err != nil {
			return nil, err
		}
		draft := apos.Scope{Locale: to, Mode: apos.Draft}
		if err := a.store.edit(ctx, tx, key, draft, setMemberTime(memberLocalized, now)); err != nil {
			return nil, err
		}
		return a.readDraft(ctx, tx, to, docID, key)
	})
}

// Submit implements adapters.Workflow.
func (a *Adapter) Submit(ctx context.Context, locale, docID string, sub adapters.Submission) error {
	obj := []byte(`{"by":`)
	obj = appendJSONString(obj, []byte(sub.By))
	obj = append(obj, `,"byId":`...)
	if sub.ByID == "" {
		obj = append(obj, "null"...)
	} else {
		obj = appendJSONString(obj, []byte(sub.ByID))
	}
	obj = append(obj, `,"at":"`...)
	obj = append(sub.At.UTC().AppendFormat(obj, isoMillis), `"}`...)
	return a.editDraft(ctx, locale, docID, setMember(memberSubmitted, obj))
}

// DismissSubmission implements adapters.Workflow.
func (a *Adapter) DismissSubmission(ctx context.Context, locale, docID string) error {
	return a.editDraft(ctx, locale, docID, dropMember(memberSubmitted))
}

// editDraft edits the members of the draft of docID in locale.
func (a *Adapter) editDraft(ctx context.Context, locale, docID string, edit metaEdit) error {
	_, err := a.workflow(ctx, docID, nil, func(tx *sql.Tx, key any) (*adapters.Record, error) {
		if _, ok, err := a.lockDraft(ctx, tx, locale, key); err != nil || !ok {
			return nil, notFound(err)
		}
		return nil, a.store.edit(ctx, tx, key, apos.Scope{Locale: locale, Mode: apos.Draft}, edit)
	})
	return err
}

// lockDraft reads and locks the row holding the draft of key in locale
// (an overlay's default-locale draft may be the legacy row itself).
func (a *Adapter) lockDraft(ctx context.Context, tx *sql.Tx, locale string, key any) (*row, bool, error) {
	draft := apos.Scope{Locale: locale, Mode: apos.Draft}
	if a.ov != nil {
		return a.ov.lockDraft(ctx, tx, draft, key)
	}
	return a.lockRow(ctx, tx, draft, key)
}

// writeDraft writes vals to the draft of key in locale, creating it when
// there is none (vals then hold every field).
func (a *Adapter) writeDraft(ctx context.Context, tx *sql.Tx, locale string, key any, vals []adapters.Value) error {
	draft := apos.Scope{Locale: locale, Mode: apos.Draft}
	rows := a
	if a.ov != nil {
		rows = a.store.shadow
		if locale == a.defaultLocale {
			if _, err := a.ov.ownDraft(ctx, tx, key); err != nil {
				return err
			}
		}
	}
	_, exists, err := rows.lockRow(ctx, tx, draft, key)
	if err != nil {
		return err
	}
	if exists {
		return rows.updateRow(ctx, tx, draft, key, vals)
	}
	_, err = rows.insertValues(ctx, tx, draft, key, vals)
	return err
}

// readDraft reads the draft of key in locale.
func (a *Adapter) readDraft(ctx context.Context, tx *sql.Tx, locale, docID string, key any) (*adapters.Record, error) {
	draft := apos.Scope{Locale: locale, Mode: apos.Draft}
	if a.ov != nil {
		return a.ov.read(ctx, tx, draft, docID, key)
	}
	return a.read(ctx, tx, a.get, draft, docID, key)
}

// Locales implements adapters.Workflow; the tables tell the locales.
func (a *Adapter) Locales(ctx context.Context, docID string, _ []string) ([]apos.Scope, error) {
	key, ok := a.keyOf(docID)
	if !ok || a.store == nil {
		return nil, nil
	}
	if a.ov != nil {
		return a.ov.locales(ctx, key)
	}
	return a.scopesOf(ctx, key)
}

// scopesOf lists the locales and modes of the rows of key in a's table
// (drafts and published records only).
func (a *Adapter) scopesOf(ctx context.Context, key any) ([]apos.Scope, error) {
	text := "SELECT " + a.locale.column + ", " + a.mode.column + " FROM " + a.table + " WHERE " + a.key + " = ?"
	rows, err := a.db.QueryContext(ctx, a.db.Rebind(text), key)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	defer rows.Close()
	var out []apos.Scope
	for rows.Next() {
		var locale, mode cell
		if err := rows.Scan(&locale, &mode); err != nil {
			return nil, a.fail(ctx, err)
		}
		s := apos.Scope{
			Locale: a.locale.apiValue(strings.TrimSpace(string(locale.appendText(nil)))),
			Mode:   apos.Mode(a.mode.apiValue(strings.TrimSpace(string(mode.appendText(nil))))),
		}
		if s.Mode.Valid() {
			out = append(out, s)
		}
	}
	return out, a.fail(ctx, rows.Err())
}

// apiValue is the API value of the backend value v: the value the
// configuration maps v to, else v itself.
func (m *valueMap) apiValue(v string) string {
	for api, db := range m.toDB {
		if db == any(v) {
			return api
		}
	}
	return v
}

// inserted records, when a document was just created in published mode,
// its first publication.
func (a *Adapter) inserted(ctx context.Context, tx *sql.Tx, s apos.Scope, key any) error {
	if a.store == nil || s.Mode != apos.Published {
		return nil
	}
	return a.store.published(ctx, tx, key, s.Locale, time.Now().UTC())
}

// deleted forgets what the store keeps of a record just deleted: deleting a
// draft deletes the whole locale, deleting a published record its previous
// copy too.
func (a *Adapter) deleted(ctx context.Context, tx *sql.Tx, s apos.Scope, key any) error {
	if a.store == nil {
		return nil
	}
	modes := []apos.Mode{apos.Published, apos.Previous}
	if s.Mode == apos.Draft {
		modes = append(modes, apos.Draft)
	}
	return a.store.forget(ctx, tx, key, s.Locale, modes...)
}
