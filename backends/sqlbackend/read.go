package sqlbackend

import (
	"bytes"
	"context"
	"database/sql"
	"errors"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/tidwall/gjson"
)

// Get implements adapters.Adapter.
func (a *Adapter) Get(ctx context.Context, s apos.Scope, docID string) (*adapters.Record, error) {
	key, ok := a.keyOf(docID)
	if !ok {
		return nil, apos.ErrNotFound
	}
	ctx = a.db.ReadContext(ctx)
	if a.ov != nil {
		return a.ov.readMarked(ctx, nil, s, docID, key)
	}
	return a.read(ctx, nil, a.get, s, docID, key)
}

// scopeArgs appends the values of a.scope's conditions for s. ok is false
// when no record can be in s: a locale or mode without a backend value, or
// a locale other than the default one of a type without a locale column.
func (a *Adapter) scopeArgs(args []any, s apos.Scope) (_ []any, ok bool) {
	if a.schema.Localized {
		if a.locale == nil {
			if s.Locale != a.defaultLocale {
				return args, false
			}
		} else {
			v, ok := a.locale.db(s.Locale)
			if !ok {
				return args, false
			}
			args = append(args, v)
		}
	}
	if a.mode != nil {
		v, ok := a.mode.db(string(s.Mode))
		if !ok {
			return args, false
		}
		args = append(args, v)
	}
	return args, true
}

// read reads the record of key in scope s with stmt (a.get, or a.lock to
// lock the row), within tx unless it is nil. Drafts of a columns type are
// compared with their published record to tell whether they are modified.
// A record read without a slug gets one (claimSlug).
func (a *Adapter) read(ctx context.Context, tx *sql.Tx, stmt *sqldb.ReadStmt, s apos.Scope, docID string, key any) (*adapters.Record, error) {
	r := a.getRow()
	defer a.rows.Put(r)
	found, err := a.readRow(ctx, tx, stmt, s, key, r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, apos.ErrNotFound
	}
	rec := &adapters.Record{DocID: docID, Scope: s, Modified: a.modified(s)}
	// The slack spares a copy when formatting a time needs room for digits
	// it then drops.
	buf := appendObject(make([]byte, 0, a.hint.Load()+16), a.fields, r.cells, a.all)
	rec.Fields = buf[:len(buf):len(buf)]
	if a.slugs != nil {
		buf, rec.Slug = appendSlugCell(buf, &r.cells[a.slugAt()])
	}
	rec.Extra = a.extraOf(r)
	var since []byte
	if a.ownSince(s) {
		buf, since = a.appendSince(buf, a.sinceCell(r))
	} else if a.compares(s) {
		if buf, since, err = a.compareDraft(ctx, tx, rec, r, key, buf); err != nil {
			return nil, err
		}
	}
	a.hint.Store(int64(len(buf)))
	rec.Extra = withLastPublished(rec.Extra, since)
	if a.slugs != nil && rec.Slug == nil {
		title := gjson.GetBytes(rec.Fields, "title").String()
		if rec.Slug, err = a.claimSlug(ctx, tx, s, key, title); err != nil {
			return nil, a.fail(ctx, err)
		}
	}
	return rec, nil
}

// compareDraft sets the modified flag of the draft rec, read in r, by reading
// its published record, and appends to buf the lastPublishedAt member the
// published record gives (none without one).
func (a *Adapter) compareDraft(ctx context.Context, tx *sql.Tx, rec *adapters.Record, r *row, key any, buf []byte) (_, since []byte, err error) {
	draft := appendObject(nil, a.fields, r.cells, a.compare)
	pub := a.published()
	p := pub.getRow()
	defer pub.rows.Put(p)
	found, err := pub.readRow(ctx, tx, pub.get, apos.Scope{Locale: rec.Scope.Locale, Mode: apos.Published}, key, p)
	if err != nil || !found {
		rec.Modified = adapters.True
		return buf, nil, err
	}
	rec.Modified = adapters.True
	if bytes.Equal(draft, appendObject(nil, a.fields, p.cells, a.compare)) && pub.slugMatches(p, rec.Slug) {
		rec.Modified = adapters.False
	}
	buf, since = pub.appendSince(buf, pub.sinceCell(p))
	return buf, since, nil
}

// sinceCell is the cell of a single-record read r holding the since
// column, nil without one.
func (a *Adapter) sinceCell(r *row) *cell {
	switch {
	case a.sinceField >= 0:
		return &r.cells[a.sinceField+1]
	case a.since == "":
		return nil
	}
	return &r.cells[a.sinceAt()]
}

// slugMatches reports whether the row r, read by a's single-record
// statements, has the slug slug (or either has none yet).
func (a *Adapter) slugMatches(r *row, slug []byte) bool {
	if a.slugs == nil || slug == nil {
		return true
	}
	c := &r.cells[a.slugAt()]
	return c.typ == cellNull || bytes.Equal(c.text, slug)
}

// readRow reads the row of key in scope s into r with stmt, within tx
// unless it is nil; found is false when there is none.
func (a *Adapter) readRow(ctx context.Context, tx *sql.Tx, stmt *sqldb.ReadStmt, s apos.Scope, key any, r *row) (found bool, err error) {
	var buf [10]any
	args := buf[:0]
	if a.store != nil {
		args = append(args, boxed(s.Locale), boxed(string(s.Mode)))
	}
	if a.slugs != nil {
		args = a.slugs.args(args, s)
	}
	args, ok := a.scopeArgs(append(args, key), s)
	if !ok {
		return false, nil
	}
	err = stmt.ReadRow(ctx, tx, args, r.dest)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, a.fail(ctx, err)
}

// compares reports whether records of scope s are drafts whose modified
// flag comes from comparing them with the published records.
func (a *Adapter) compares(s apos.Scope) bool {
	return (a.mode != nil || a.pub != nil) && s.Mode == apos.Draft
}

// published is the adapter holding the published records that a's drafts
// are compared with.
func (a *Adapter) published() *Adapter {
	if a.pub != nil {
		return a.pub
	}
	return a
}

// modified is the modified flag of a record of scope s that is not
// compared: false for the draft of an autopublish type, whose draft is
// its published record; unknown otherwise.
func (a *Adapter) modified(s apos.Scope) adapters.Tristate {
	if a.mode == nil && a.pub == nil && s.Mode == apos.Draft {
		return adapters.False
	}
	return adapters.Unknown
}
