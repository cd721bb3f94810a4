package upstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/examples/inventory/service"
)

func TestGet(t *testing.T) {
	a, _ := inventory(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		scope    apos.Scope
		id       string
		fields   string
		modified adapters.Tristate
		err      error
	}{
		{"published", enLive, "INV-0001",
			`{"title":"Oak desk","quantity":0,"warehouse":"W1","aisle":"A1","updatedAt":"2025-06-01T10:00:00.000Z"}`, adapters.Unknown, nil},
		{"edited draft", enDraft, "INV-0001",
			`{"title":"Oak desk","quantity":1,"warehouse":"W1","aisle":"A1","updatedAt":"2025-06-01T10:30:00.000Z"}`, adapters.True, nil},
		{"unchanged draft", enDraft, "INV-0002",
			`{"title":"Walnut desk","quantity":7,"warehouse":"W2","aisle":"A2","updatedAt":"2025-06-01T11:00:00.000Z"}`, adapters.False, nil},
		{"unpublished draft", enDraft, "INV-0005",
			`{"title":"Maple desk","quantity":3,"warehouse":"W2","aisle":"A5","updatedAt":"2025-06-01T14:00:00.000Z"}`, adapters.True, nil},
		{"french", frLive, "INV-0001",
			`{"title":"Bureau en chêne","quantity":0,"warehouse":"W1","aisle":"A1","updatedAt":"2025-06-01T10:00:00.000Z"}`, adapters.Unknown, nil},
		{"no such locale variant", frLive, "INV-0002", "", adapters.Unknown, apos.ErrNotFound},
		{"unpublished", enLive, "INV-0005", "", adapters.Unknown, apos.ErrNotFound},
		{"no such item", enLive, "INV-9999", "", adapters.Unknown, apos.ErrNotFound},
		{"not an id", enLive, "b64-!!", "", adapters.Unknown, apos.ErrNotFound},
		{"previous mode", apos.Scope{Locale: "en", Mode: apos.Previous}, "INV-0001", "", adapters.Unknown, apos.ErrNotFound},
		{"locale the service refuses", apos.Scope{Locale: "xx", Mode: apos.Published}, "INV-0001", "", adapters.Unknown, apos.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := a.Get(ctx, tt.scope, tt.id)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(rec.Fields) != tt.fields {
				t.Errorf("fields\n got %s\nwant %s", rec.Fields, tt.fields)
			}
			if rec.DocID != tt.id || rec.Scope != tt.scope || rec.Modified != tt.modified {
				t.Errorf("got %s %v modified %v, want %s %v modified %v", rec.DocID, rec.Scope, rec.Modified, tt.id, tt.scope, tt.modified)
			}
		})
	}
}

// TestGetOutlivesAnswer checks that a published record read by Get keeps
// nothing of the service's answer, which Get maps in fasthttp's buffers
// and releases: later gets, which reuse those buffers, leave it as it was.
func TestGetOutlivesAnswer(t *testing.T) {
	a, _ := inventory(t)
	ctx := context.Background()
	first, err := a.Get(ctx, enLive, "INV-0001")
	if err != nil {
		t.Fatal(err)
	}
	docID, fields := strings.Clone(first.DocID), string(first.Fields)
	for range 50 {
		if _, err := a.Get(ctx, enLive, "INV-0002"); err != nil {
			t.Fatal(err)
		}
	}
	if first.DocID != docID || string(first.Fields) != fields {
		t.Errorf("the record changed after later gets: %s %s, was %s %s", first.DocID, first.Fields, docID, fields)
	}
}

func TestList(t *testing.T) {
	a, _ := inventory(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		q     adapters.Query
		total int
		ids   []string // nil: only check the count of records
		n     int
	}{
		{"first page", adapters.Query{Scope: enLive, Page: 1, PerPage: 3}, 32,
			[]string{"INV-0001", "INV-0002", "INV-0003"}, 3},
		{"last page", adapters.Query{Scope: enLive, Page: 11, PerPage: 3}, 32,
			[]string{"INV-0038", "INV-0039"}, 2},
		{"past the end", adapters.Query{Scope: enLive, Page: 12, PerPage: 3}, 32, []string{}, 0},
		{"larger than the service's pages", adapters.Query{Scope: enDraft, Page: 1, PerPage: 1000}, 40, nil, 40},
		{"drafts", adapters.Query{Scope: enDraft, Page: 1, PerPage: 2}, 40, []string{"INV-0001", "INV-0002"}, 2},
		{"french drafts", adapters.Query{Scope: frDraft, Page: 2, PerPage: 2}, 20, []string{"INV-0005", "INV-0007"}, 2},
		{"search", adapters.Query{Scope: enLive, Page: 1, PerPage: 10, Search: "OAK"}, 4,
			[]string{"INV-0001", "INV-0009", "INV-0017", "INV-0033"}, 4},
		{"autocomplete", adapters.Query{Scope: enLive, Page: 1, PerPage: 10, Autocomplete: "walnut"}, 4, nil, 4},
		{"filter", adapters.Query{Scope: enLive, Page: 1, PerPage: 3,
			Filters: []adapters.Filter{{Field: "warehouse", Op: adapters.OpContains, Values: []any{"W2"}}}}, 10,
			[]string{"INV-0002", "INV-0008", "INV-0011"}, 3},
		{"count only", adapters.Query{Scope: frLive, Page: 1, PerPage: 50, CountOnly: true}, 10, nil, 0},
		{"ids keep their order", adapters.Query{Scope: enLive, Page: 1, PerPage: 50,
			IDs: []string{"INV-0003", "INV-0005", "INV-0001", "INV-0003", "nope", "b64-!"}}, 2,
			[]string{"INV-0003", "INV-0001"}, 2},
		{"ids paged", adapters.Query{Scope: enLive, Page: 2, PerPage: 1, IDs: []string{"INV-0003", "INV-0001"}}, 2,
			[]string{"INV-0001"}, 1},
		{"no ids", adapters.Query{Scope: enLive, Page: 1, PerPage: 50, IDs: []string{}}, 0, []string{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := a.List(ctx, &tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != tt.total || len(page.Records) != tt.n {
				t.Fatalf("total %d, %d records; want %d, %d", page.Total, len(page.Records), tt.total, tt.n)
			}
			if tt.ids == nil {
				return
			}
			for i, rec := range page.Records {
				if rec.DocID != tt.ids[i] || rec.Scope != tt.q.Scope {
					t.Errorf("record %d is %s %v, want %s", i, rec.DocID, rec.Scope, tt.ids[i])
				}
			}
		})
	}
}

func TestListProjection(t *testing.T) {
	a, _ := inventory(t)
	page, err := a.List(context.Background(), &adapters.Query{Scope: enLive, Page: 1, PerPage: 1, Project: []string{"aisle", "title"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(page.Records[0].Fields), `{"title":"Oak desk","aisle":"A1"}`; got != want {
		t.Errorf("fields %s, want %s (schema order)", got, want)
	}
}

func TestListRefuses(t *testing.T) {
	a, _ := inventory(t)
	tests := []struct {
		name string
		q    adapters.Query
		msg  string
	}{
		{"sort", adapters.Query{Sort: []adapters.Sort{{Field: "title"}}},
			"inventory-item cannot be sorted: its service lists items in its own order"},
		{"unmapped filter", adapters.Query{Filters: []adapters.Filter{{Field: "quantity", Op: adapters.OpEqual, Values: []any{int64(1)}}}},
			"inventory-item cannot be filtered by quantity"},
		{"range", adapters.Query{Filters: []adapters.Filter{{Field: "warehouse", Op: adapters.OpRange, Values: []any{"W1", "W2"}}}},
			"inventory-item can only be filtered by one value of warehouse"},
		{"several values", adapters.Query{Filters: []adapters.Filter{{Field: "warehouse", Op: adapters.OpIn, Values: []any{"W1", "W2"}}}},
			"inventory-item can only be filtered by one value of warehouse"},
		{"empty value", adapters.Query{Filters: []adapters.Filter{{Field: "warehouse", Op: adapters.OpEqual, Values: []any{nil}}}},
			"inventory-item cannot be filtered by an empty warehouse"},
		{"ids and search", adapters.Query{IDs: []string{"INV-0001"}, Search: "oak"},
			"inventory-item cannot combine _ids with search or filters"},
		{"search and autocomplete", adapters.Query{Search: "oak", Autocomplete: "pine"},
			"inventory-item cannot take both search and autocomplete"},
		{"no page", adapters.Query{Page: 0, PerPage: 10}, "page and perPage must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Scope = enLive
			if q.PerPage == 0 && tt.name != "no page" {
				q.Page, q.PerPage = 1, 10
			}
			_, err := a.List(context.Background(), &q)
			e, ok := apos.AsError(err)
			if !ok || !errors.Is(err, apos.ErrInvalid) || e.Message != tt.msg {
				t.Fatalf("err = %v, want invalid %q", err, tt.msg)
			}
		})
	}
}

// TestListSplits: a page larger than the service's largest takes several
// calls, in either paging style, and keeps the order.
func TestListSplits(t *testing.T) {
	// pages serves 25 items K01..K25 by page number and size, at most 4 a
	// page, as a page-numbered legacy service would.
	pages := func(calls *atomic.Int32) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) {
			calls.Add(1)
			page, _ := strconv.Atoi(string(ctx.QueryArgs().Peek("page")))
			size, _ := strconv.Atoi(string(ctx.QueryArgs().Peek("size")))
			if page < 1 || size < 1 || size > 4 {
				ctx.SetStatusCode(400)
				return
			}
			b := []byte(`{"data":{"total":25,"items":[`)
			for i := (page-1)*size + 1; i <= min(page*size, 25); i++ {
				if i > (page-1)*size+1 {
					b = append(b, ',')
				}
				b = fmt.Appendf(b, `{"itemId":"K%02d","label":"Item %d","language":"en","state":"live"}`, i, i)
			}
			ctx.SetBody(append(b, "]}}"...))
		}
	}
	tests := []struct {
		name  string
		paged bool // page-numbered service; else the inventory with max 7
		q     adapters.Query
		first string
		n     int
		calls int32
	}{
		{"offset style", false, adapters.Query{Scope: enDraft, Page: 2, PerPage: 10}, "INV-0011", 10, 2},
		{"offset style, short last page", false, adapters.Query{Scope: enDraft, Page: 3, PerPage: 15}, "INV-0031", 10, 2},
		{"page style", true, adapters.Query{Scope: enLive, Page: 2, PerPage: 10}, "K11", 10, 5},
		{"page style, divisor", true, adapters.Query{Scope: enLive, Page: 3, PerPage: 6}, "K13", 6, 2},
		{"page style, short last page", true, adapters.Query{Scope: enLive, Page: 3, PerPage: 10}, "K21", 5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			var url string
			var tweak func(*config.Config)
			if tt.paged {
				url = serve(t, pages(&calls))
				tweak = func(cfg *config.Config) {
					cfg.Types["inventory-item"].Service.Paging = config.ServicePaging{Page: "page", Size: "size", Max: 4}
				}
			} else {
				svc := service.New(testToken).Handler()
				url = serve(t, func(ctx *fasthttp.RequestCtx) { calls.Add(1); svc(ctx) })
				tweak = func(cfg *config.Config) { cfg.Types["inventory-item"].Service.Paging.Max = 7 }
			}
			a := adapterAt(t, url, tweak)
			page, err := a.List(context.Background(), &tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Records) != tt.n || page.Records[0].DocID != tt.first || calls.Load() != tt.calls {
				t.Fatalf("%d records from %s in %d calls, want %d from %s in %d", len(page.Records), page.Records[0].DocID, calls.Load(), tt.n, tt.first, tt.calls)
			}
			for i := 1; i < len(page.Records); i++ {
				if page.Records[i-1].DocID >= page.Records[i].DocID {
					t.Errorf("out of order: %s before %s", page.Records[i-1].DocID, page.Records[i].DocID)
				}
			}
		})
	}
}
