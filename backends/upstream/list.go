package upstream

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// List returns one page of records. See the package doc for what the
// service's limits make of sorting, filters, search and large pages.
func (a *Adapter) List(ctx context.Context, q *adapters.Query) (*adapters.Page, error) {
	params, err := a.listParams(q)
	if err != nil {
		return nil, err
	}
	if !a.served(q.Scope) {
		return &adapters.Page{}, nil
	}
	if q.IDs != nil {
		return a.listIDs(ctx, q)
	}
	offset, limit := (q.Page-1)*q.PerPage, q.PerPage
	if q.CountOnly {
		offset, limit = 0, 1
	}
	if offset < 0 || limit < 1 {
		return nil, apos.Errorf(apos.ErrInvalid, "page and perPage must be at least 1")
	}
	// size is the page asked of the service: at most its largest, and for
	// page-numbered services a divisor of limit, so that the offset falls
	// on one of its pages.
	size := limit
	if m := a.paging.Max; m > 0 && size > m {
		size = m
		for a.paging.Page != "" && limit%size != 0 {
			size--
		}
	}
	v := a.vars(q.Scope)
	first, total, err := a.listChunk(ctx, &v, params, offset, size)
	if err != nil {
		return nil, err
	}
	page := &adapters.Page{Total: total}
	if q.CountOnly {
		return page, nil
	}
	want := min(limit, total-offset)
	chunks := [][]gjson.Result{first}
	if n := (want + size - 1) / size; n > 1 && len(first) == size {
		chunks = append(chunks, make([][]gjson.Result, n-1)...)
		err := parallel(n-1, a.concurrency, func(i int) error {
			var err error
			chunks[i+1], _, err = a.listChunk(ctx, &v, params, offset+(i+1)*size, size)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	page.Records, err = a.records(chunks, want, q)
	return page, err
}

// records maps the items of chunks, at most want of them, onto records.
func (a *Adapter) records(chunks [][]gjson.Result, want int, q *adapters.Query) ([]adapters.Record, error) {
	recs := make([]adapters.Record, 0, max(want, 0))
	for _, items := range chunks {
		for _, item := range items {
			if len(recs) == cap(recs) {
				break
			}
			rec, err := a.record(item, q.Scope, q.Project)
			if err != nil {
				return nil, err
			}
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// listChunk asks the service for size items from offset, and checks that
// each belongs to the scope asked for.
func (a *Adapter) listChunk(ctx context.Context, v *vars, params []param, offset, size int) ([]gjson.Result, int, error) {
	uri := a.list.appendURI(make([]byte, 0, 160), a.c.base, v)
	uri = a.appendPage(uri, offset, size)
	for _, p := range params {
		uri = appendParam(uri, p.name, p.value)
	}
	items, total, err := a.listCall(ctx, uri)
	if err != nil {
		return nil, 0, err
	}
	for _, item := range items {
		if err := a.inScope(item, v); err != nil {
			return nil, 0, err
		}
	}
	return items, total, nil
}

// appendPage appends the paging parameters of size items from offset.
func (a *Adapter) appendPage(uri []byte, offset, size int) []byte {
	pg := &a.paging
	switch {
	case pg.Page != "":
		uri = appendParam(uri, pg.Page, strconv.Itoa(offset/size+1))
		return appendParam(uri, pg.Size, strconv.Itoa(size))
	case pg.Start != "":
		uri = appendParam(uri, pg.Start, strconv.Itoa(offset))
		return appendParam(uri, pg.End, strconv.Itoa(offset+size))
	}
	uri = appendParam(uri, pg.Offset, strconv.Itoa(offset))
	return appendParam(uri, pg.Limit, strconv.Itoa(size))
}

// listCall sends one list call and reads its items and total.
func (a *Adapter) listCall(ctx context.Context, uri []byte) ([]gjson.Result, int, error) {
	res, err := a.callFull(ctx, &request{method: a.list.method, uri: uri, header: a.totalHeader}, "list")
	if err != nil {
		return nil, 0, err
	}
	items := gjson.GetBytes(res.body, a.items)
	if !items.IsArray() {
		return nil, 0, garbage(a, "the list answer has no items at "+a.items)
	}
	var total int64
	if a.totalHeader != "" {
		total, err = strconv.ParseInt(strings.TrimSpace(res.header), 10, 64)
		if err != nil || total < 0 {
			return nil, 0, garbage(a, "the list answer has no count in its "+a.totalHeader+" header")
		}
	} else {
		t := gjson.GetBytes(res.body, a.total)
		if t.Type != gjson.Number || t.Int() < 0 {
			return nil, 0, garbage(a, "the list answer has no total at "+a.total)
		}
		total = t.Int()
	}
	return items.Array(), int(total), nil
}

// listIDs gets each id with its own call, at most a.concurrency at once,
// and keeps the ids' order; ids that do not exist are left out.
func (a *Adapter) listIDs(ctx context.Context, q *adapters.Query) (*adapters.Page, error) {
	found := make([]*adapters.Record, len(q.IDs))
	seen := make(map[string]bool, len(q.IDs))
	err := parallel(len(q.IDs), a.concurrency, func(i int) error {
		item, err := a.fetch(ctx, q.Scope, q.IDs[i])
		if errors.Is(err, apos.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		rec, err := a.record(item, q.Scope, q.Project)
		found[i] = &rec
		return err
	})
	if err != nil {
		return nil, err
	}
	page := &adapters.Page{Records: []adapters.Record{}}
	for _, rec := range found {
		if rec == nil || seen[rec.DocID] {
			continue
		}
		seen[rec.DocID] = true
		page.Records = append(page.Records, *rec)
	}
	page.Total = len(page.Records)
	if q.CountOnly {
		page.Records = nil
		return page, nil
	}
	start := min(max((q.Page-1)*q.PerPage, 0), page.Total)
	page.Records = page.Records[start:min(start+max(q.PerPage, 0), page.Total)]
	return page, nil
}
