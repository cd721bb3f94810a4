package sqlbackend

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// bulkSweep is how many records without a slug make a sweep read every
// slug of the locale at once, rather than those that could clash with
// each record's.
const bulkSweep = 64

// titled is a record without a slug: its key as text and its title.
type titled struct {
	key   string
	title string
}

// sweep gives a slug to every record of locale that has none (legacy rows
// the proxy has not met yet), in one transaction: the published records
// first, in key order, then the drafts left, so that a draft shares its
// published record's slug and the same rows get the same slugs on every
// instance. When every record has one, as is usual, it only reads. A
// sweep that ran into another one runs again.
func (sl *slugs) sweep(ctx context.Context, locale string) error {
	if done, err := sl.swept(ctx, locale); done || err != nil {
		return err
	}
	for try := 0; ; try++ {
		err := sl.sweepOnce(ctx, locale)
		if err == nil || try == retries || !sl.retryable(ctx, err) {
			return err
		}
	}
}

func (sl *slugs) sweepOnce(ctx context.Context, locale string) error {
	tx, err := sl.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	taken := takenSlugs{sl: sl, locale: locale, set: map[string]bool{}, bases: map[string]bool{}}
	given := 0
	for _, m := range sl.modes {
		s := apos.Scope{Locale: locale, Mode: apos.Mode(m)}
		var after any // the last key read, nil before the first batch
		for {
			missing, last, err := sl.root.missingSlugs(ctx, tx, s, after)
			if err != nil {
				return err
			}
			if err := sl.give(ctx, tx, &taken, missing); err != nil {
				return err
			}
			given += len(missing)
			if last == nil {
				break
			}
			after = last
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if given > bulkSweep {
		// The lookups of the slugs just given should search the primary
		// key (type, doc, locale, mode); with statistics that know no
		// slug of this type yet, PostgreSQL searched the unique index on
		// (type, locale, mode, slug) and read every slug of the type for
		// each record. The sweep is done: a failure here only leaves the
		// statistics to autovacuum.
		_ = sl.db.Analyze(ctx, sl.table)
	}
	return nil
}

// give gives a slug to each record of missing, in every mode, in the
// order given.
func (sl *slugs) give(ctx context.Context, tx *sql.Tx, taken *takenSlugs, missing []titled) error {
	var err error
	if len(missing) > bulkSweep && !taken.all {
		err = taken.loadAll(ctx, tx)
	}
	batch := make([]any, 0, len(missing)*len(sl.modes)*5)
	for _, d := range missing {
		if err != nil {
			return err
		}
		base := slugBase(d.title, d.key)
		if err = taken.load(ctx, tx, base); err == nil {
			slug := firstFree(base, func(c string) bool { return taken.set[c] })
			taken.set[slug] = true
			for _, mode := range sl.modes {
				batch = append(batch, sl.typeArg, d.key, taken.locale, mode, slug)
			}
		}
	}
	if err != nil {
		return err
	}
	return sl.insertAll(ctx, tx, batch)
}

// swept reports whether every record of locale has a slug, outside any
// transaction: a sweep that has nothing to do takes no write lock.
func (sl *slugs) swept(ctx context.Context, locale string) (bool, error) {
	for _, m := range sl.modes {
		text, args, _, ok := sl.root.missingQuery(apos.Scope{Locale: locale, Mode: apos.Mode(m)}, nil, 1)
		if !ok {
			continue
		}
		rows, err := sl.db.QueryContext(ctx, sl.db.Rebind(string(text)), args...)
		if err != nil {
			return false, err
		}
		found := rows.Next()
		rows.Close()
		if found || rows.Err() != nil {
			return false, rows.Err()
		}
	}
	return true, nil
}

// takenSlugs are the slugs of one locale that a sweep may not give,
// read as they are needed: those that start like each base (every
// candidate made from a base does), or all of them.
type takenSlugs struct {
	sl     *slugs
	locale string
	set    map[string]bool
	bases  map[string]bool // loaded already
	all    bool
}

// load reads the slugs that start with base, unless they are read.
func (t *takenSlugs) load(ctx context.Context, tx *sql.Tx, base string) error {
	if t.all || t.bases[base] {
		return nil
	}
	t.bases[base] = true
	return t.read(ctx, tx, " AND (aposproxy_slug = ? OR aposproxy_slug LIKE ?)", base, base+"%")
}

// loadAll reads every slug of the locale.
func (t *takenSlugs) loadAll(ctx context.Context, tx *sql.Tx) error {
	t.all = true
	return t.read(ctx, tx, "")
}

func (t *takenSlugs) read(ctx context.Context, tx *sql.Tx, cond string, args ...any) error {
	text := "SELECT aposproxy_slug FROM " + t.sl.table + " WHERE aposproxy_type = ? AND aposproxy_locale = ?" + cond
	set, err := t.sl.collect(ctx, tx, text, append([]any{t.sl.typeArg, t.locale}, args...))
	for s := range set {
		t.set[s] = true
	}
	return err
}

// insertAll inserts rows of the slug table, five values each, a hundred
// rows per statement (sqldb's InsertMany: on SQLite, a multi-row INSERT
// that could abort half-way journaled most pages of the slug index for
// every statement, and a sweep's cost grew faster than its records). A
// failure fails the sweep, whose transaction rolls back.
func (sl *slugs) insertAll(ctx context.Context, tx *sql.Tx, values []any) error {
	const width, most = 5, 100
	for len(values) > 0 {
		n := min(len(values)/width, most)
		text := sl.db.InsertMany() + sl.table + " (aposproxy_type, aposproxy_doc, aposproxy_locale, aposproxy_mode, aposproxy_slug) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", n), ", ")
		if _, err := tx.ExecContext(ctx, sl.db.Rebind(text), values[:n*width]...); err != nil {
			return err
		}
		values = values[n*width:]
	}
	return nil
}

// sweepBatch is how many records without a slug a sweep reads at once,
// by key from the last one read, where the key is one column of the
// type's own table (an index serves it); otherwise it reads them all.
const sweepBatch = 1000

// missingSlugs lists the records of scope s that have no slug, with their
// titles, in key order, from the key after on (nil: from the first). They
// are read from the table that lists s (an overlay keeps some in its
// shadow table). last is the key to read the next batch after, nil when
// there is none.
func (a *Adapter) missingSlugs(ctx context.Context, tx *sql.Tx, s apos.Scope, after any) (_ []titled, last any, _ error) {
	text, args, batched, ok := a.missingQuery(s, after, sweepBatch)
	if !ok {
		return nil, nil, nil
	}
	rows, err := tx.QueryContext(ctx, a.db.Rebind(string(text)), args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []titled
	var key, title cell
	for rows.Next() {
		if err := rows.Scan(&key, &title); err != nil {
			return nil, nil, err
		}
		out = append(out, titled{key: key.keyString(), title: textOf(&title)})
	}
	if batched && len(out) == sweepBatch {
		if last = out[len(out)-1].key; key.typ == cellInt {
			last = key.i
		}
	}
	return out, last, rows.Err()
}

// missingQuery is the statement that lists the records of scope s without
// a slug, in key order, and its values: at most limit (0: all) after the
// key after (nil: from the first) when batched, a single-column key of
// the type's own table, otherwise all. ok is false when no record can be
// in s. A record has no slug when no row of the slug table joins it
// (LEFT JOIN ... IS NULL, which each engine runs as a search of the slug
// table's primary key per record, stopping at the batch's end: NOT IN
// could make PostgreSQL compare each record with every slug once they no
// longer fit its memory for hashing, and MariaDB turns NOT EXISTS into a
// copy of every slug of the type, made again for every batch).
func (a *Adapter) missingQuery(s apos.Scope, after any, limit int) (text []byte, args []any, batched, ok bool) {
	l := a
	if v := a.ov.viewOf(s); v != nil {
		l = v
	}
	if args, ok = l.scopeArgs(nil, s); !ok {
		return nil, nil, false, false
	}
	batched = l == a && !a.composite() && limit > 0 || limit == 1
	text = append([]byte("SELECT "), l.key...)
	text = append(append(text, ", "...), l.field("title").quoted...)
	text = append(append(text, " FROM "...), l.table...)
	// Both sides' columns are qualified: an overlay's view has columns of
	// the proxy's tables too.
	const sa = "aposproxy_s."
	text = append(append(text, " LEFT JOIN "...), a.slugs.table...)
	text = a.slugs.appendConds(append(text, " AS aposproxy_s ON "...), sa, s)
	text = append(append(text, " AND "+sa+"aposproxy_doc = "...), l.keyCast...)
	text = append(append(text, " WHERE 1 = 1"...), l.scopeOf(l.alias)...)
	if batched && after != nil {
		text = append(append(append(text, " AND "...), l.key...), " > ?"...)
		args = append(args, after)
	}
	text = append(append(text, " AND "+sa+"aposproxy_doc IS NULL ORDER BY "...), l.key...)
	if batched {
		text = strconv.AppendInt(append(text, " LIMIT "...), int64(limit), 10)
	}
	return text, args, batched, true
}

// sweepFirst sweeps locale before a write that may give slugs, so that
// it cannot give one that a legacy row without a slug yet would claim
// (Insert, Update and the workflow's operations).
func (a *Adapter) sweepFirst(ctx context.Context, locale string) error {
	if a.slugs == nil {
		return nil
	}
	locale, _ = a.slugs.scopeOf(apos.Scope{Locale: locale})
	return a.fail(ctx, a.slugs.sweep(ctx, locale))
}

// claimSlug returns the slug of the record of key in scope s, which the
// read found without one, giving it one first. Within a transaction (a
// write reading the record) the record gets one made from title; outside
// one, its whole locale is swept.
func (a *Adapter) claimSlug(ctx context.Context, tx *sql.Tx, s apos.Scope, key any, title string) ([]byte, error) {
	sl := a.slugs
	locale, mode := sl.scopeOf(s)
	var q execer = a.db
	if tx != nil {
		q = tx
	} else if err := sl.sweep(ctx, locale); err != nil {
		return nil, err
	}
	have, err := sl.current(ctx, q, key, locale)
	switch {
	case err != nil:
		return nil, err
	case have[mode] != "":
		return []byte(have[mode]), nil
	case tx == nil:
		return nil, nil // a record the sweep does not see: none to show
	}
	slug, err := sl.place(ctx, tx, key, locale, sl.modes, title)
	return []byte(slug), err
}

// fillSlugs gives slugs to the records of a page of scope s that were
// read without one (those at missing), sweeping their locale first.
func (a *Adapter) fillSlugs(ctx context.Context, s apos.Scope, recs []adapters.Record, missing []int) error {
	sl := a.slugs
	locale, mode := sl.scopeOf(s)
	if err := sl.sweep(ctx, locale); err != nil {
		return err
	}
	b := getBuilder()
	defer putBuilder(b)
	b.args = append(b.args, sl.typeArg, locale, mode)
	at := make(map[string]int, len(missing))
	for _, i := range missing {
		id := a.keyTextOf(recs[i].DocID)
		at[id] = i
		b.args = append(b.args, id)
	}
	b.where = append(b.where, "aposproxy_type = ? AND aposproxy_locale = ? AND aposproxy_mode = ? AND aposproxy_doc"...)
	b.in(3)
	text := "SELECT aposproxy_doc, aposproxy_slug FROM " + sl.table + " WHERE " + string(b.where)
	rows, err := a.db.QueryContext(ctx, a.db.Rebind(text), b.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return err
		}
		if i, ok := at[id]; ok {
			recs[i].Slug = []byte(slug)
		}
	}
	return rows.Err()
}
