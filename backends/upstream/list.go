package upstream

import (
	"context"
	"errors"
	"strconv"
	"time"

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
	page.Records = make([]adapters.Record, 0, max(want, 0))
	for _, items := range chunks {
		for _, item := range items {
			if len(page.Records) == cap(page.Records) {
				break
			}
			rec, err := a.record(item, q.Scope, q.Project)
			if err != nil {
				return nil, err
			}
			page.Records = append(page.Records, rec)
		}
	}
	return page, nil
}

// listChunk asks the service for size items from offset.
func (a *Adapter) listChunk(ctx context.Context, v *vars, params [][2]string, offset, size int) ([]gjson.Result, int, error) {
	uri := a.list.appendURI(make([]byte, 0, 160), a.c.base, v)
	if a.paging.Page != "" {
		uri = appendParam(uri, a.paging.Page, strconv.Itoa(offset/size+1))
		uri = appendParam(uri, a.paging.Size, strconv.Itoa(size))
	} else {
		uri = appendParam(uri, a.paging.Offset, strconv.Itoa(offset))
		uri = appendParam(uri, a.paging.Limit, strconv.Itoa(size))
	}
	for _, p := range params {
		uri = appendParam(uri, p[0], p[1])
	}
	body, err := a.call(ctx, &a.list, "list", uri, nil)
	if err != nil {
		return nil, 0, err
	}
	items := gjson.GetBytes(body, a.items)
	total := gjson.GetBytes(body, a.total)
	if !items.IsArray() || total.Type != gjson.Number || total.Int() < 0 {
		return nil, 0, garbage(a, "the list answer has no items at "+a.items+" or no total at "+a.total)
	}
	return items.Array(), int(total.Int()), nil
}

// listParams translates search and filters into query parameters, and
// refuses what the service cannot do.
func (a *Adapter) listParams(q *adapters.Query) ([][2]string, error) {
	typ := a.schema.Type
	if len(q.Sort) > 0 {
		return nil, apos.Errorf(apos.ErrInvalid, "%s cannot be sorted: its service lists items in its own order", typ)
	}
	term := q.Search
	if q.Autocomplete != "" {
		if term != "" && term != q.Autocomplete {
			return nil, apos.Errorf(apos.ErrInvalid, "%s cannot take both search and autocomplete", typ)
		}
		term = q.Autocomplete
	}
	if q.IDs != nil && (term != "" || len(q.Filters) > 0) {
		return nil, apos.Errorf(apos.ErrInvalid, "%s cannot combine _ids with search or filters", typ)
	}
	var params [][2]string
	if term != "" {
		if a.search == "" {
			return nil, apos.Errorf(apos.ErrInvalid, "%s cannot be searched", typ)
		}
		params = append(params, [2]string{a.search, term})
	}
	for _, f := range q.Filters {
		param, ok := a.filters[f.Field]
		if !ok {
			return nil, apos.Errorf(apos.ErrInvalid, "%s cannot be filtered by %s", typ, f.Field)
		}
		value, ok := filterValue(f)
		if !ok {
			return nil, apos.Errorf(apos.ErrInvalid, "%s can only be filtered by one value of %s", typ, f.Field)
		}
		params = append(params, [2]string{param, value})
	}
	return params, nil
}

// filterValue renders a filter's single value as a query parameter.
func filterValue(f adapters.Filter) (string, bool) {
	if f.Op == adapters.OpRange || len(f.Values) != 1 {
		return "", false
	}
	switch v := f.Values[0].(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano), true
	}
	return "", false
}

// listIDs gets each id with its own call, at most a.concurrency at once,
// and keeps the ids' order; ids that do not exist are left out.
func (a *Adapter) listIDs(ctx context.Context, q *adapters.Query) (*adapters.Page, error) {
	found := make([]*adapters.Record, len(q.IDs))
	seen := make(map[string]bool, len(q.IDs))
	err := parallel(len(q.IDs), a.concurrency, func(i int) error {
		key, ok := apos.DecodeKey(q.IDs[i])
		if !ok {
			return nil
		}
		item, err := a.fetch(ctx, q.Scope, key)
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
