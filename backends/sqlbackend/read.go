package sqlbackend

import (
	"bytes"
	"context"
	"database/sql"
	"errors"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// Get implements adapters.Adapter.
func (a *Adapter) Get(ctx context.Context, s apos.Scope, docID string) (*adapters.Record, error) {
	key, ok := a.keyOf(docID)
	if !ok {
		return nil, apos.ErrNotFound
	}
	ctx = a.db.ReadContext(ctx)
	if a.ov != nil {
		return a.ov.read(ctx, nil, s, docID, key)
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
func (a *Adapter) read(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt, s apos.Scope, docID string, key any) (*adapters.Record, error) {
	if tx != nil {
		stmt = tx.StmtContext(ctx, stmt)
	}
	r := a.getRow()
	defer a.rows.Put(r)
	found, err := a.readRow(ctx, stmt, s, key, r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, apos.ErrNotFound
	}
	rec := &adapters.Record{DocID: docID, Scope: s, Modified: a.modified(s)}
	rec.Fields = appendObject(make([]byte, 0, a.hint.Load()), a.fields, r.cells, a.all)
	a.hint.Store(int64(len(rec.Fields)))
	rec.Extra = a.extraOf(r)
	if !a.compares(s) {
		return rec, nil
	}
	draft := appendObject(nil, a.fields, r.cells, a.compare)
	pub := a.published()
	get := pub.get
	if tx != nil {
		get = tx.StmtContext(ctx, get)
	}
	found, err = pub.readRow(ctx, get, apos.Scope{Locale: s.Locale, Mode: apos.Published}, key, r)
	if err != nil {
		return nil, err
	}
	rec.Modified = adapters.True
	if found && bytes.Equal(draft, appendObject(nil, a.fields, r.cells, a.compare)) {
		rec.Modified = adapters.False
	}
	return rec, nil
}

// readRow reads the row of key in scope s into r with stmt; found is false
// when there is none.
func (a *Adapter) readRow(ctx context.Context, stmt *sql.Stmt, s apos.Scope, key any, r *row) (found bool, err error) {
	var buf [6]any
	args := buf[:0]
	if a.store != nil {
		args = append(args, a.store.typeArg, boxed(s.Locale), boxed(string(s.Mode)))
	}
	args, ok := a.scopeArgs(append(args, key), s)
	if !ok {
		return false, nil
	}
	err = stmt.QueryRowContext(ctx, args...).Scan(r.dest...)
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
