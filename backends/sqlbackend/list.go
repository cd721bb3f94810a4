package sqlbackend

import (
	"bytes"
	"context"
	"slices"
	"strconv"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// List implements adapters.Adapter. A list that filters or sorts by the
// slugs the adapter keeps first gives one to every record of its locale
// that has none.
func (a *Adapter) List(ctx context.Context, q *adapters.Query) (*adapters.Page, error) {
	ctx = a.db.ReadContext(ctx)
	if a.slugs != nil && a.slugs.root == a && usesSlug(q) {
		if err := a.sweepFirst(ctx, q.Scope.Locale); err != nil {
			return nil, err
		}
	}
	if v := a.ov.viewOf(q.Scope); v != nil {
		page, err := v.List(ctx, q)
		if err != nil {
			return nil, err
		}
		return page, a.markLinksModified(ctx, a.db, q.Scope, page.Records)
	}
	b := getBuilder()
	defer putBuilder(b)
	ok, err := a.where(b, q, "")
	if err != nil || !ok {
		return &adapters.Page{}, err
	}
	if q.CountOnly {
		total, err := a.count(ctx, b)
		return &adapters.Page{Total: total}, err
	}
	nWhere := len(b.args)
	compare := a.compares(q.Scope)
	perPage, offset := q.PerPage, 0
	if perPage > 0 {
		offset = (max(q.Page, 1) - 1) * perPage
	}
	sel, err := a.selectFields(b, q, compare, q.IDs == nil && perPage > 0 && a.db.SelectsBeforeLimit())
	if err != nil {
		return nil, err
	}
	a.from(b)
	if q.IDs == nil {
		// With IDs, every match is read, put in the IDs' order and paged
		// here; otherwise the engine sorts and pages.
		if err := a.orderBy(b, q.Sort, q.Scope, orderInner); err != nil {
			return nil, err
		}
		if perPage > 0 {
			b.text = append(b.text, " LIMIT ? OFFSET ?"...)
			b.args = append(b.args, int64(perPage), int64(offset))
		}
	}
	if sel.late {
		a.pageOuter(b, q, &sel)
	}
	page, drafts, err := a.scanPage(ctx, b, q.Scope, sel, compare, perPage)
	if err != nil {
		return nil, err
	}
	b.args = b.args[:nWhere]
	if err := a.total(ctx, b, q, page, offset); err != nil {
		return nil, err
	}
	return page, a.complete(ctx, q.Scope, page, drafts, sel)
}

// total sets the total of page, the records read from offset on by the
// statement of b (whose args are its WHERE conditions'), and with _ids
// puts them in order and pages them.
func (a *Adapter) total(ctx context.Context, b *builder, q *adapters.Query, page *adapters.Page, offset int) error {
	n, perPage := len(page.Records), q.PerPage
	var err error
	switch {
	case q.IDs != nil:
		page.Records = inOrder(page.Records, q.IDs)
		page.Total = len(page.Records)
		page.Records = page.Records[min(offset, n):]
		if perPage > 0 {
			page.Records = page.Records[:min(perPage, len(page.Records))]
		}
	case perPage <= 0 || n < perPage && (n > 0 || offset == 0):
		// A short page is the last one: no need to count.
		page.Total = offset + n
	default:
		page.Total, err = a.count(ctx, b)
	}
	return err
}

// complete adds to a page what its statement did not read: slugs for the
// records that had none, the modified flag of drafts with their published
// records' lastPublishedAt, and the store's members.
func (a *Adapter) complete(ctx context.Context, s apos.Scope, page *adapters.Page, drafts map[string][]byte, sel listing) error {
	if sel.slug >= 0 {
		var missing []int
		for i := range page.Records {
			if page.Records[i].Slug == nil {
				missing = append(missing, i)
			}
		}
		if len(missing) > 0 {
			if err := a.fillSlugs(ctx, s, page.Records, missing); err != nil {
				return a.fail(ctx, err)
			}
		}
	}
	if drafts != nil && len(page.Records) > 0 {
		if err := a.published().markModified(ctx, s, page, drafts); err != nil {
			return err
		}
	}
	if a.store != nil && sel.extra < 0 {
		if err := a.store.attach(ctx, s, page.Records); err != nil {
			return a.fail(ctx, err)
		}
	}
	return nil
}

// listing is what a list statement selects after the key: the fields to
// render (v), then, at the cells given (-1: not read), the slug and the
// since column. n is the number of columns.
type listing struct {
	v                  view
	n                  int
	slug, since, extra int
	// ownSince: records take lastPublishedAt from their own row (from
	// the since column, or the epoch without one).
	ownSince bool
	// late: the slug and members (slug, members: whether they are read)
	// are read by pageOuter around the paged statement.
	late, lateSlug, lateExtra bool
}

// selectFields starts b.text with the SELECT of the key and the fields a
// list of q reads, then its slug and since column, and says how to render
// them: all fields, or only the projected ones. Drafts to compare read
// every field whatever the projection.
//
// A paged statement (LIMIT, sorted by the engine) reads the slug and
// members, which are subqueries, around it (pageOuter): an engine
// evaluates the select list of every row it sorts, not only of the rows
// the page keeps, so that a list of 10 would look up the slug of every
// record of its locale. Its columns are then named c0, c1... and its
// ORDER BY terms also selected as o0, o1... for the outer statement.
func (a *Adapter) selectFields(b *builder, q *adapters.Query, all, paged bool) (listing, error) {
	b.text = append(b.text, "SELECT "...)
	sel := listing{slug: -1, since: -1, extra: -1, ownSince: a.ownSince(q.Scope)}
	project := q.Project
	wantSlug := a.slugs != nil && (project == nil || slices.Contains(project, apos.SlugField))
	wantExtra := a.pageExtra(q.Scope)
	sel.late = paged && (wantSlug || wantExtra)
	switch {
	case project != nil:
		sel.v, sel.n = a.projected(b, project, all, sel.late)
	case sel.late:
		b.text = append(b.text, a.columnsAs...)
		sel.v, sel.n = a.all, 1+len(a.fields)
	default:
		b.text = append(b.text, a.columns...)
		sel.v, sel.n = a.all, 1+len(a.fields)
	}
	if wantSlug && !sel.late {
		b.text = append(b.text, ", "...)
		b.text = a.slugs.appendExpr(b.text, a.keyCast, q.Scope)
		sel.slug, sel.n = sel.n, sel.n+1
	}
	if sel.ownSince && a.since != "" {
		if sel.since = sel.v.cellOf(a.sinceField); sel.since < 0 {
			b.text = append(b.text, ", "...)
			b.text = append(b.text, a.since...)
			if sel.late {
				b.text = appendName(append(b.text, " AS "...), 'c', sel.n)
			}
			sel.since, sel.n = sel.n, sel.n+1
		}
	}
	if sel.late {
		sel.lateSlug, sel.lateExtra = wantSlug, wantExtra
		return sel, a.orderBy(b, q.Sort, q.Scope, orderColumns)
	}
	if wantExtra {
		b.text = a.appendExtra(append(b.text, ", "...), a.keyCast, q.Scope)
		sel.extra, sel.n = sel.n, sel.n+1
	}
	return sel, nil
}

// pageAlias names the paged statement within pageOuter's.
const pageAlias = "aposproxy_page"

// pageOuter wraps the paged statement of b (selectFields) in the one that
// reads the slug and members of its rows only, keeping their order.
func (a *Adapter) pageOuter(b *builder, q *adapters.Query, sel *listing) {
	o := getBuilder()
	defer putBuilder(o)
	o.text = append(o.text, "SELECT "...)
	for i := range sel.n {
		if i > 0 {
			o.text = append(o.text, ", "...)
		}
		o.text = appendName(append(o.text, pageAlias+"."...), 'c', i)
	}
	if sel.lateSlug {
		o.text = a.slugs.appendExpr(append(o.text, ", "...), a.outerKey, q.Scope)
		sel.slug, sel.n = sel.n, sel.n+1
	}
	if sel.lateExtra {
		o.text = a.appendExtra(append(o.text, ", "...), a.outerKey, q.Scope)
		sel.extra, sel.n = sel.n, sel.n+1
	}
	o.text = append(o.text, " FROM ("...)
	o.text = append(o.text, b.text...)
	o.text = append(o.text, ") AS "+pageAlias...)
	_ = a.orderBy(o, q.Sort, q.Scope, orderOuter) // selectFields checked the sorts
	b.text, o.text = o.text, b.text
}

// appendName appends a column name of pageOuter's: prefix and i.
func appendName(dst []byte, prefix byte, i int) []byte {
	return strconv.AppendInt(append(dst, prefix), int64(i), 10)
}

// projected writes the key and the projected fields (every field when all
// is set) and returns how to render them and how many columns it wrote;
// named, each column is named by its cell (c0, c1...).
func (a *Adapter) projected(b *builder, project []string, all, named bool) (view, int) {
	switch {
	case !all:
		b.text = append(b.text, a.key...)
		if named {
			b.text = append(b.text, " AS c0"...)
		}
	case named:
		b.text = append(b.text, a.columnsAs...)
	default:
		b.text = append(b.text, a.columns...)
	}
	var v view
	for i := range a.fields {
		if !slices.Contains(project, a.fields[i].name) || a.fields[i].secret {
			continue
		}
		c := column{field: i, cell: i + 1}
		if !all {
			b.text = append(b.text, ", "...)
			b.text = append(b.text, a.fields[i].quoted...)
			c.cell = len(v) + 1
			if named {
				b.text = appendName(append(b.text, " AS "...), 'c', c.cell)
			}
		}
		v = append(v, c)
	}
	if all {
		return v, 1 + len(a.fields)
	}
	return v, 1 + len(v)
}

// orderPart is which part of a statement orderBy writes.
type orderPart int

const (
	orderInner   orderPart = iota // the ORDER BY of a list statement
	orderColumns                  // its terms as columns o0, o1... of a paged statement's select list
	orderOuter                    // pageOuter's ORDER BY, by those columns
)

// orderBy writes part of the ORDER BY of sorts, which ends with the key so
// that pages are stable. A sort by the slug the adapter keeps sorts by
// that of scope s.
func (a *Adapter) orderBy(b *builder, sorts []adapters.Sort, s apos.Scope, part orderPart) error {
	if part != orderColumns {
		b.text = append(b.text, " ORDER BY "...)
	}
	for i := range len(sorts) + len(a.keyOrder) {
		switch {
		case part == orderColumns:
			b.text = append(b.text, ", "...)
		case i > 0:
			b.text = append(b.text, ", "...)
		}
		if part == orderOuter {
			b.text = appendName(append(b.text, pageAlias+"."...), 'o', i)
		}
		var dir string
		switch {
		case i >= len(sorts):
			if part != orderOuter {
				b.text = append(b.text, a.keyOrder[i-len(sorts)]...)
			}
			dir = " ASC"
		case sorts[i].Field == apos.SlugField && a.slugs != nil:
			if part != orderOuter {
				b.text = a.slugs.appendExpr(b.text, a.keyCast, s)
			}
			if sorts[i].Desc {
				dir = " DESC"
			}
		default:
			f := a.field(sorts[i].Field)
			if f == nil {
				return apos.Invalid(sorts[i].Field, "invalid", "")
			}
			if part != orderOuter {
				b.text = append(b.text, f.sort...)
			}
			dir = f.asc
			if sorts[i].Desc {
				dir = f.desc
			}
		}
		if part == orderColumns {
			b.text = appendName(append(b.text, " AS "...), 'o', i)
		} else {
			b.text = append(b.text, dir...)
		}
	}
	return nil
}

// scanPage runs the list statement of b and renders its rows as sel says.
// All records' fields share one buffer, sized for perPage records like the
// last one read. When compare is set it also renders the compared fields
// of each record, by aposDocId.
func (a *Adapter) scanPage(ctx context.Context, b *builder, s apos.Scope, sel listing, compare bool, perPage int) (*adapters.Page, map[string][]byte, error) {
	rows, err := a.stmts.cells(ctx, b.text, b.args)
	if err != nil {
		return nil, nil, a.fail(ctx, err)
	}
	defer rows.Close()
	r := a.getRow()
	defer a.rows.Put(r)
	var drafts map[string][]byte
	if compare {
		drafts = map[string][]byte{}
	}
	page := &adapters.Page{Records: make([]adapters.Record, 0, min(max(perPage, 0), 100))}
	buf := make([]byte, 0, a.hint.Load()*int64(cap(page.Records))+16)
	for rows.Next() {
		if err := r.scan(rows, sel.n); err != nil {
			return nil, nil, a.fail(ctx, err)
		}
		docID := a.docIDOf(r.cells[0].keyString())
		start := len(buf)
		buf = appendObject(buf, a.fields, r.cells, sel.v)
		rec := adapters.Record{DocID: docID, Scope: s, Fields: buf[start:len(buf):len(buf)], Modified: a.modified(s)}
		if sel.slug >= 0 {
			buf, rec.Slug = appendSlugCell(buf, &r.cells[sel.slug])
		}
		if sel.ownSince {
			var c *cell
			if sel.since >= 0 {
				c = &r.cells[sel.since]
			}
			buf, rec.Extra = a.appendSince(buf, c)
		}
		if sel.extra >= 0 && r.cells[sel.extra].typ != cellNull {
			start = len(buf)
			buf = r.cells[sel.extra].appendText(buf)
			rec.Extra = withLastPublished(members(buf[start:len(buf):len(buf)]), rec.Extra)
		}
		page.Records = append(page.Records, rec)
		if compare {
			start = len(buf)
			buf = appendObject(buf, a.fields, r.cells, a.compare)
			drafts[docID] = buf[start:len(buf):len(buf)]
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, a.fail(ctx, err)
	}
	if n := len(page.Records); n > 0 && !compare && len(sel.v) == len(a.all) {
		a.hint.Store(int64(len(buf) / n))
	}
	return page, drafts, nil
}

// count runs the COUNT(*) of b's WHERE conditions.
func (a *Adapter) count(ctx context.Context, b *builder) (int, error) {
	b.text = append(b.text[:0], "SELECT COUNT(*)"...)
	a.from(b)
	var key string
	if a.counts != nil {
		key = countKey(b.text, b.args)
		if n, ok := a.counts.get(key); ok {
			return n, nil
		}
	}
	rows, err := a.stmts.cells(ctx, b.text, b.args)
	if err != nil {
		return 0, a.fail(ctx, err)
	}
	defer rows.Close()
	var c cell
	if rows.Next() {
		if err := rows.Scan(&c); err != nil {
			return 0, a.fail(ctx, err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, a.fail(ctx, err)
	}
	n, _ := c.value(apos.Integer).(int64)
	if a.counts != nil {
		a.counts.put(key, int(n))
	}
	return int(n), nil
}

// inOrder returns the records in the order of ids (records never repeat).
func inOrder(recs []adapters.Record, ids []string) []adapters.Record {
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		if _, dup := at[id]; !dup {
			at[id] = i
		}
	}
	slices.SortFunc(recs, func(x, y adapters.Record) int { return at[x.DocID] - at[y.DocID] })
	return recs
}

// selectPublished starts b.text with the SELECT of every column of the
// published records of scope pub, their slugs and their since column,
// and returns the number of columns and the cells of the slug and since
// column (-1: not read).
func (a *Adapter) selectPublished(b *builder, pub apos.Scope) (n, slugAt, sinceAt int) {
	b.text = append(b.text, "SELECT "...)
	b.text = append(b.text, a.columns...)
	n, slugAt, sinceAt = 1+len(a.fields), -1, -1
	if a.slugs != nil {
		b.text = a.slugs.appendExpr(append(b.text, ", "...), a.keyCast, pub)
		slugAt, n = n, n+1
	}
	switch {
	case a.sinceField >= 0:
		sinceAt = a.sinceField + 1
	case a.since != "":
		b.text = append(append(b.text, ", "...), a.since...)
		sinceAt, n = n, n+1
	}
	return n, slugAt, sinceAt
}

// markModified sets the modified flag of a page of drafts: one query reads
// the published records of the page's keys, whose compared fields (and
// slugs) are rendered and matched with the drafts' (as scanPage rendered
// them). Drafts with a published record take its lastPublishedAt.
func (a *Adapter) markModified(ctx context.Context, s apos.Scope, page *adapters.Page, drafts map[string][]byte) error {
	b := getBuilder()
	defer putBuilder(b)
	pub := apos.Scope{Locale: s.Locale, Mode: apos.Published}
	b.args, _ = a.scopeArgs(b.args, pub)
	start := len(b.args)
	byID := make(map[string]*adapters.Record, len(page.Records))
	for i := range page.Records {
		rec := &page.Records[i]
		rec.Modified = adapters.True
		byID[rec.DocID] = rec
		key, _ := a.keyOf(rec.DocID)
		b.args = append(b.args, key)
	}
	b.where = append(b.where, a.scope...)
	b.where = append(b.where, " AND "...)
	b.where = append(b.where, a.key...)
	b.in(start)
	n, slugAt, sinceAt := a.selectPublished(b, pub)
	a.from(b)
	rows, err := a.stmts.cells(ctx, b.text, b.args)
	if err != nil {
		return a.fail(ctx, err)
	}
	defer rows.Close()
	r := a.getRow()
	defer a.rows.Put(r)
	var buf []byte
	since := make([]byte, 0, 48*len(page.Records))
	for rows.Next() {
		if err := r.scan(rows, n); err != nil {
			return a.fail(ctx, err)
		}
		docID := a.docIDOf(r.cells[0].keyString())
		rec := byID[docID]
		if rec == nil {
			continue
		}
		buf = appendObject(buf[:0], a.fields, r.cells, a.compare)
		sameSlug := slugAt < 0 || rec.Slug == nil || r.cells[slugAt].typ == cellNull || bytes.Equal(r.cells[slugAt].text, rec.Slug)
		if bytes.Equal(drafts[docID], buf) && sameSlug {
			rec.Modified = adapters.False
		}
		var c *cell
		if sinceAt >= 0 {
			c = &r.cells[sinceAt]
		}
		since, rec.Extra = a.appendSince(since, c)
	}
	return a.fail(ctx, rows.Err())
}
