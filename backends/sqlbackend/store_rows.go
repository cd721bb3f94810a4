package sqlbackend

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	mathrand "math/rand/v2"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// view returns an adapter with a's mapping over another table: the same
// key, fields and column names, read from table (a table, or a derived
// table in parentheses with an alias), with locale and mode maps of its
// own. Its single-record statements are not prepared yet.
func (a *Adapter) view(table string, locale, mode *valueMap) *Adapter {
	v := &Adapter{
		db: a.db, t: a.t, schema: a.schema,
		table: table, alias: aliasOf(table), key: a.key, keyOrder: a.keyOrder, outerKey: a.outerKey, parts: a.parts, intKey: a.intKey, keyRange: a.keyRange, randomKey: a.randomKey,
		locale: locale, mode: mode, defaultLocale: a.defaultLocale,
		fields: a.fields, byName: a.byName, all: a.all, compare: a.compare,
		columns: a.columns, columnsAs: a.columnsAs, scope: scopeConds(locale, mode),
		stmts: statements{db: a.db, max: maxStatements},
		store: a.store, slugs: a.slugs, sinceKind: a.sinceKind, sinceField: a.sinceField,
	}
	v.keyCast = a.db.CastText(v.alias + "." + a.key)
	if a.sinceField >= 0 {
		v.since = a.since // a field's column: every view has it
	}
	v.rows.New = func() any { return newRow(v.width()) }
	return v
}

// aliasOf is how columns name table: a derived table "(...) AS name" by
// its name, a table by itself.
func aliasOf(table string) string {
	if strings.HasPrefix(table, "(") {
		return table[strings.LastIndex(table, " AS ")+len(" AS "):]
	}
	return table
}

// lockRow reads the row of key in scope s within tx, locking it where the
// engine can, into a row of its own (not pooled: it is held while other
// statements run). found is false when there is none.
func (a *Adapter) lockRow(ctx context.Context, tx *sql.Tx, s apos.Scope, key any) (*row, bool, error) {
	r := newRow(a.width())
	found, err := a.readRow(ctx, tx, a.lock, s, key, r)
	return r, found, err
}

// allValues returns every field of r, to copy the record whole (a previous
// copy, a reverted draft).
func (a *Adapter) allValues(r *row) []adapters.Value {
	vals := make([]adapters.Value, len(a.fields))
	for i := range a.fields {
		vals[i] = adapters.Value{Field: a.fields[i].name, V: r.cells[i+1].fieldValue(&a.fields[i])}
	}
	return vals
}

// contentValues returns r's content to write over another record, as a
// save would: every field but the auto ones, which are stamped now (the
// create ones only when the record is being created).
func (a *Adapter) contentValues(r *row, now time.Time, creating bool) []adapters.Value {
	vals := make([]adapters.Value, 0, len(a.fields))
	for i := range a.fields {
		v := adapters.Value{Field: a.fields[i].name}
		switch a.schema.Fields[i].Auto {
		case apos.AutoUpdate:
			v.V = now
		case apos.AutoCreate:
			if !creating {
				continue
			}
			v.V = now
		default:
			v.V = r.cells[i+1].fieldValue(&a.fields[i])
		}
		vals = append(vals, v)
	}
	return vals
}

// sameContent reports whether two rows read by a's single-record
// statements hold the same content (auto fields aside) and slug, as the
// modified flag compares drafts.
func (a *Adapter) sameContent(x, y *row) bool {
	return bytes.Equal(appendObject(nil, a.fields, x.cells, a.compare), appendObject(nil, a.fields, y.cells, a.compare)) &&
		a.sameSlug(x, y)
}

// fingerprint identifies the content of a legacy row, to tell later
// whether it changed behind the proxy's back.
func (a *Adapter) fingerprint(r *row) string {
	sum := sha256.Sum256(appendObject(nil, a.fields, r.cells, a.all))
	return hex.EncodeToString(sum[:16])
}

// insertValues inserts a row of key in scope s holding vals, and returns
// its key (the one the database made when key is nil).
func (a *Adapter) insertValues(ctx context.Context, tx *sql.Tx, s apos.Scope, key any, vals []adapters.Value) (any, error) {
	cols, args, err := a.assignments(vals)
	if err != nil {
		return nil, err
	}
	return a.insertRow(ctx, tx, s, key, cols, args)
}

// updateRow writes vals to the row of key in scope s.
func (a *Adapter) updateRow(ctx context.Context, tx *sql.Tx, s apos.Scope, key any, vals []adapters.Value) error {
	cols, args, err := a.assignments(vals)
	if err != nil || len(cols) == 0 {
		return err
	}
	args, _ = a.scopeArgs(append(args, key), s)
	text := "UPDATE " + a.table + " SET " + strings.Join(cols, " = ?, ") + " = ? WHERE " +
		a.key + " = ? AND " + a.scope
	res, err := tx.ExecContext(ctx, a.db.Rebind(text), args...)
	if err != nil {
		return a.fail(ctx, err)
	}
	return a.touched(ctx, res, 1)
}

// deleteRow deletes the row of key in scope s, if any. A row that other
// rows still reference is a conflict.
func (a *Adapter) deleteRow(ctx context.Context, tx *sql.Tx, s apos.Scope, key any) error {
	args, ok := a.scopeArgs([]any{key}, s)
	if !ok {
		return nil
	}
	if a.locale == nil && a.mode == nil {
		// The key's one row goes: its links first (relationships.go).
		if err := a.dropLinks(ctx, tx, key); err != nil {
			return err
		}
	}
	text := "DELETE FROM " + a.table + " WHERE " + a.key + " = ? AND " + a.scope
	return a.deleteWhere(ctx, tx, text, args, 1)
}

// deleteWhere runs the DELETE text with args, touching at most most rows.
// A delete writes no value: any constraint it breaks is a reference from
// another row, a conflict.
func (a *Adapter) deleteWhere(ctx context.Context, tx *sql.Tx, text string, args []any, most int64) error {
	res, err := tx.ExecContext(ctx, a.db.Rebind(text), args...)
	if err != nil {
		if e := a.db.Classify(ctx, err); e.Class == sqldb.ClassInvalid || e.Class == sqldb.ClassRequired {
			return apos.Wrap(apos.ErrConflict, sqldb.MsgReferenced, err)
		}
		return a.fail(ctx, err)
	}
	return a.touched(ctx, res, most)
}

// retries is how many times inTx runs a transaction the engine aborted to
// break a deadlock, after the first.
const retries = 3

// inTx runs fn in one transaction, committed when fn succeeds. A
// transaction that the engine chose as a deadlock's victim (MySQL's gap
// locks make that happen to inserts that do not even touch the same rows)
// runs again, a few times, after a short random pause.
func (a *Adapter) inTx(ctx context.Context, fn func(tx *sql.Tx) (*adapters.Record, error)) (*adapters.Record, error) {
	for try := 0; ; try++ {
		rec, err := a.tryTx(ctx, fn)
		if err == nil || try == retries || !deadlocked(err) {
			return rec, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(1+mathrand.IntN(10<<try)) * time.Millisecond):
		}
	}
}

// deadlocked reports whether err is an engine's refusal of a transaction
// to break a deadlock or a serialization conflict: running it again may
// succeed.
func deadlocked(err error) bool {
	var pe *pgconn.PgError
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &pe):
		return pe.Code == "40P01" || pe.Code == "40001"
	case errors.As(err, &me):
		return me.Number == 1213
	}
	return false
}

// tryTx is one run of inTx.
func (a *Adapter) tryTx(ctx context.Context, fn func(tx *sql.Tx) (*adapters.Record, error)) (*adapters.Record, error) {
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	defer tx.Rollback()
	rec, err := fn(tx)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	return rec, a.fail(ctx, tx.Commit())
}
