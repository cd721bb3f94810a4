package sqlbackend

import (
	"bytes"
	"context"
	"slices"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// List implements adapters.Adapter.
func (a *Adapter) List(ctx context.Context, q *adapters.Query) (*adapters.Page, error) {
	ctx = a.db.ReadContext(ctx)
	if v := a.ov.viewOf(q.Scope); v != nil {
		return v.List(ctx, q)
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
	v := a.selectFields(b, q.Project, compare)
	a.from(b)
	perPage, offset := q.PerPage, 0
	if perPage > 0 {
		offset = (max(q.Page, 1) - 1) * perPage
	}
	if q.IDs == nil {
		// With IDs, every match is read, put in the IDs' order and paged
		// here; otherwise the engine sorts and pages.
		if err := a.orderBy(b, q.Sort); err != nil {
			return nil, err
		}
		if perPage > 0 {
			b.text = append(b.text, " LIMIT ? OFFSET ?"...)
			b.args = append(b.args, int64(perPage), int64(offset))
		}
	}
	page, drafts, err := a.scanPage(ctx, b, q.Scope, v, compare, perPage)
	if err != nil {
		return nil, err
	}
	if err := a.total(ctx, b, q, page, offset, nWhere); err != nil {
		return nil, err
	}
	if compare && len(page.Records) > 0 {
		if err := a.published().markModified(ctx, q.Scope, page, drafts); err != nil {
			return nil, err
		}
	}
	if a.store != nil {
		if err := a.store.attach(ctx, q.Scope, page.Records); err != nil {
			return nil, a.fail(ctx, err)
		}
	}
	return page, nil
}

// selectFields starts b.text with the SELECT of the key and the fields a
// list reads, and returns how to render them: all fields, or only the
// projected ones. Drafts to compare read every field whatever the
// projection.
func (a *Adapter) selectFields(b *builder, project []string, all bool) view {
	b.text = append(b.text, "SELECT "...)
	if project == nil {
		b.text = append(b.text, a.columns...)
		return a.all
	}
	if !all {
		b.text = append(b.text, a.key...)
	} else {
		b.text = append(b.text, a.columns...)
	}
	var v view
	for i := range a.fields {
		if !slices.Contains(project, a.fields[i].name) {
			continue
		}
		c := column{field: i, cell: i + 1}
		if !all {
			b.text = append(b.text, ", "...)
			b.text = append(b.text, a.fields[i].quoted...)
			c.cell = len(v) + 1
		}
		v = append(v, c)
	}
	return v
}

// orderBy writes the ORDER BY of sorts, ending with the key so that pages
// are stable.
func (a *Adapter) orderBy(b *builder, sorts []adapters.Sort) error {
	b.text = append(b.text, " ORDER BY "...)
	for _, s := range sorts {
		f := a.field(s.Field)
		if f == nil {
			return apos.Invalid(s.Field, "invalid", "")
		}
		term := f.asc
		if s.Desc {
			term = f.desc
		}
		b.text = append(b.text, term...)
		b.text = append(b.text, ", "...)
	}
	b.text = append(b.text, a.key...)
	b.text = append(b.text, " ASC"...)
	return nil
}

// scanPage runs the list statement of b and renders its rows in view v.
// All records' fields share one buffer, sized for perPage records like the
// last one read. When compare is set it also renders the compared fields
// of each record, by aposDocId.
func (a *Adapter) scanPage(ctx context.Context, b *builder, s apos.Scope, v view, compare bool, perPage int) (*adapters.Page, map[string][]byte, error) {
	rows, err := a.stmts.query(ctx, b.text, b.args)
	if err != nil {
		return nil, nil, a.fail(ctx, err)
	}
	defer rows.Close()
	r := a.getRow()
	defer a.rows.Put(r)
	n := 1 + len(v)
	var drafts map[string][]byte
	if compare {
		n = 1 + len(a.fields)
		drafts = map[string][]byte{}
	}
	page := &adapters.Page{Records: make([]adapters.Record, 0, min(max(perPage, 0), 100))}
	buf := make([]byte, 0, a.hint.Load()*int64(cap(page.Records)))
	for rows.Next() {
		if err := r.scan(rows, n); err != nil {
			return nil, nil, a.fail(ctx, err)
		}
		docID := apos.EncodeKey(r.cells[0].keyString())
		start := len(buf)
		buf = appendObject(buf, a.fields, r.cells, v)
		page.Records = append(page.Records, adapters.Record{
			DocID:    docID,
			Scope:    s,
			Fields:   buf[start:len(buf):len(buf)],
			Modified: a.modified(s),
		})
		if compare {
			start = len(buf)
			buf = appendObject(buf, a.fields, r.cells, a.compare)
			drafts[docID] = buf[start:len(buf):len(buf)]
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, a.fail(ctx, err)
	}
	if n := len(page.Records); n > 0 && !compare && len(v) == len(a.all) {
		a.hint.Store(int64(len(buf) / n))
	}
	return page, drafts, nil
}

// count runs the COUNT(*) of b's WHERE conditions.
func (a *Adapter) count(ctx context.Context, b *builder) (int, error) {
	b.text = append(b.text[:0], "SELECT COUNT(*)"...)
	a.from(b)
	rows, err := a.stmts.query(ctx, b.text, b.args)
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
	return int(n), nil
}

// total sets the Total of a page read at offset. With IDs, every match was
// read: the records are put in the IDs' order and paged here. Otherwise a
// short page is the last one, and a full one is counted with the WHERE of
// b (its first nWhere arguments).
func (a *Adapter) total(ctx context.Context, b *builder, q *adapters.Query, page *adapters.Page, offset, nWhere int) error {
	perPage, n := q.PerPage, len(page.Records)
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
		b.args = b.args[:nWhere]
		var err error
		if page.Total, err = a.count(ctx, b); err != nil {
			return err
		}
	}
	return nil
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

// markModified sets the modified flag of a page of drafts: one query reads
// the published records of the page's keys, whose compared fields are
// rendered and matched with the drafts' (as scanPage rendered them).
func (a *Adapter) markModified(ctx context.Context, s apos.Scope, page *adapters.Page, drafts map[string][]byte) error {
	b := getBuilder()
	defer putBuilder(b)
	b.args, _ = a.scopeArgs(b.args, apos.Scope{Locale: s.Locale, Mode: apos.Published})
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
	b.text = append(b.text, "SELECT "...)
	b.text = append(b.text, a.columns...)
	a.from(b)
	rows, err := a.stmts.query(ctx, b.text, b.args)
	if err != nil {
		return a.fail(ctx, err)
	}
	defer rows.Close()
	r := a.getRow()
	defer a.rows.Put(r)
	var buf []byte
	for rows.Next() {
		if err := r.scan(rows, 1+len(a.fields)); err != nil {
			return a.fail(ctx, err)
		}
		docID := apos.EncodeKey(r.cells[0].keyString())
		if rec := byID[docID]; rec != nil {
			buf = appendObject(buf[:0], a.fields, r.cells, a.compare)
			if bytes.Equal(drafts[docID], buf) {
				rec.Modified = adapters.False
			}
		}
	}
	return a.fail(ctx, rows.Err())
}
