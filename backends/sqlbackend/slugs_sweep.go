package sqlbackend

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
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
//
// A sweep within a request ends with the request even when a read
// detached from it asks for it (sqldb.RequestContext); PostgreSQL's
// statement timeout does not cut it (sqldb's BeginUnbound).
func (sl *slugs) sweep(ctx context.Context, locale string) error {
	ctx = sqldb.RequestContext(ctx)
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
	tx, err := sl.db.BeginUnbound(ctx)
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
			if given <= bulkSweep && given+len(missing) > bulkSweep {
				// The next batches look up the slugs this one gave: with
				// statistics that know no slug of the type yet,
				// PostgreSQL searched the unique index on (type, locale,
				// mode, slug) for each record and read every slug of the
				// type (see sqldb's Analyze).
				if err := sl.analyze(ctx, tx); err != nil {
					return err
				}
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
		// Again for every slug given, for the lookups of lists and
		// reads. The sweep is done: a failure here only leaves the
		// statistics to autovacuum.
		_ = sl.analyzeAlone(ctx)
	}
	return nil
}

// analyzeAlone refreshes the statistics of the slug table in a
// transaction of its own, which the statement timeout does not cut.
func (sl *slugs) analyzeAlone(ctx context.Context) error {
	if sl.db.Analyze(sl.table) == "" {
		return nil
	}
	tx, err := sl.db.BeginUnbound(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := sl.analyze(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// analyze refreshes the planner's statistics of the slug table, where
// the engine needs it (sqldb's Analyze).
func (sl *slugs) analyze(ctx context.Context, q execer) error {
	text := sl.db.Analyze(sl.table)
	if text == "" {
		return nil
	}
	_, err := q.ExecContext(ctx, text)
	return err
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

// sweepBatch is how many records a sweep reads at once, by key from the
// last one read, where the key is one column of the type's own table (an
// index serves it); otherwise it reads those without a slug at once.
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
	var key, title, has cell
	dest := []any{&key, &title}
	if batched {
		dest = append(dest, &has)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, err
		}
		if n++; !batched || has.typ == cellNull {
			out = append(out, titled{key: key.keyString(), title: textOf(&title)})
		}
	}
	if batched && n == sweepBatch {
		if last = key.keyString(); key.typ == cellInt {
			last = key.i
		}
	}
	return out, last, rows.Err()
}

// missingQuery is the statement that lists the records of scope s without
// a slug, in key order, and its values; ok is false when no record can be
// in s.
//
// With limit 1 (swept) or when not batched, it reads the records without a
// slug (LEFT JOIN ... IS NULL). Batched (limit > 1, a single-column key of
// the type's own table), it reads limit records from the key after on,
// each with its slug's document or NULL, and missingSlugs keeps those
// without one: the first batch (after nil) by a LEFT JOIN, the next ones
// with a subquery per record on the slug table's primary key.
//
// The subquery is a search per record whatever the planner's estimates,
// where an anti-join over batches had engines read every slug of the type
// for each batch (PostgreSQL's merge anti-join, with statistics from
// before the sweep; MariaDB's copy of them for NOT EXISTS), and NOT IN
// could make PostgreSQL compare each record with every slug. But which
// index PostgreSQL searches depends on its statistics, and the first
// batch runs before the sweep's ANALYZE: when they know no slug of the
// type while the indexes still hold many dead (slugs deleted, or given by
// a sweep that rolled back), it searched the unique (type, locale, mode,
// slug) index and read every dead slug of the mode for each record (the
// first batch took 30 s at 10^5 rows, 190 s at 10^6: see
// bench/growth_reading.md). The join reads them at most once; after the
// ANALYZE, the subquery searches the primary key.
func (a *Adapter) missingQuery(s apos.Scope, after any, limit int) (text []byte, args []any, batched, ok bool) {
	l := a
	if v := a.ov.viewOf(s); v != nil {
		l = v
	}
	if args, ok = l.scopeArgs(nil, s); !ok {
		return nil, nil, false, false
	}
	batched = l == a && !a.composite() && limit > 1
	text = append([]byte("SELECT "), l.key...)
	text = append(append(text, ", "...), l.field("title").quoted...)
	// The slug table's columns are qualified: an overlay's view has
	// columns of the proxy's tables too.
	const sa = "aposproxy_s."
	if batched && after != nil {
		text = append(append(text, ", (SELECT 1 FROM "...), a.slugs.table...)
		text = a.slugs.appendConds(append(text, " AS aposproxy_s WHERE "...), sa, s)
		text = append(append(append(text, " AND "+sa+"aposproxy_doc = "...), l.keyCast...), ')')
		text = append(append(text, " FROM "...), l.table...)
		text = append(append(text, " WHERE "...), l.scope...)
		text = append(append(append(text, " AND "...), l.key...), " > ?"...)
		args = append(args, after)
	} else {
		if batched {
			text = append(text, ", "+sa+"aposproxy_doc"...)
		}
		text = append(append(text, " FROM "...), l.table...)
		text = append(append(text, " LEFT JOIN "...), a.slugs.table...)
		text = a.slugs.appendConds(append(text, " AS aposproxy_s ON "...), sa, s)
		text = append(append(text, " AND "+sa+"aposproxy_doc = "...), l.keyCast...)
		text = append(append(text, " WHERE 1 = 1"...), l.scopeOf(l.alias)...)
		if !batched {
			text = append(text, " AND "+sa+"aposproxy_doc IS NULL"...)
		}
	}
	text = append(append(text, " ORDER BY "...), l.key...)
	if limit > 0 && (batched || limit == 1) {
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
