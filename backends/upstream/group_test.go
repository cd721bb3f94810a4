package upstream

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

var ctx = context.Background()

// TestGroupReads: a variant is the record of its group, locale and mode,
// found by listing; its aposDocId is the group.
func TestGroupReads(t *testing.T) {
	a, svc := rowsAdapter(t, seedRows(), nil)
	rec, err := a.Get(ctx, enLive, "d1")
	if err != nil || rec.DocID != "d1" || gjson.GetBytes(rec.Fields, "title").String() != "One" {
		t.Fatalf("d1 published: %+v %v", rec, err)
	}
	if calls := svc.calls(); !slices.Equal(calls, []string{"GET /rows?lang=en&state=live&_page=1&_limit=2&doc=d1"}) {
		t.Errorf("calls: %q", calls)
	}
	rec, err = a.Get(ctx, enDraft, "d1")
	if err != nil || gjson.GetBytes(rec.Fields, "title").String() != "One (edited)" || rec.Modified != adapters.True {
		t.Fatalf("d1 draft: %+v %v", rec, err)
	}
	for _, c := range []struct {
		s  apos.Scope
		id string
	}{{frLive, "d1"}, {enLive, "d2"}, {enLive, "1"}, {enDraft, "4"}} {
		if _, err := a.Get(ctx, c.s, c.id); !errors.Is(err, apos.ErrNotFound) {
			t.Errorf("%s in %v: %v, want not found", c.id, c.s, err)
		}
	}
	page, err := a.List(ctx, &adapters.Query{Scope: enDraft, Page: 1, PerPage: 10})
	if err != nil || page.Total != 2 || page.Records[0].DocID != "d1" || page.Records[1].DocID != "d2" {
		t.Fatalf("drafts: %+v %v", page, err)
	}
	// Two records claim to be one variant: neither is served.
	svc.recs = append(svc.recs, map[string]any{"id": 9.0, "doc": "d1", "lang": "en", "state": "live", "title": "Impostor"})
	if _, err := a.Get(ctx, enLive, "d1"); !errors.Is(err, apos.ErrBadGateway) {
		t.Errorf("two records of one variant: %v", err)
	}
}

// TestGroupWrites: creates, replaces and deletes address each record by
// its own id, and publishing copies the draft over the published record.
func TestGroupWrites(t *testing.T) {
	a, svc := rowsAdapter(t, seedRows(), nil)
	rec, err := a.Insert(ctx, enLive, &adapters.Insert{Values: []adapters.Value{{Field: "title", V: "Three"}, {Field: "n", V: int64(3)}}})
	if err != nil {
		t.Fatal(err)
	}
	id := rec.DocID
	if got := svc.with(map[string]any{"doc": id}); len(got) != 2 || got[0]["state"] != "live" || got[1]["state"] != "draft" {
		t.Fatalf("created records: %v", got)
	}
	svc.calls()
	rec, err = a.Update(ctx, enDraft, id, func(*adapters.Record) ([]adapters.Value, error) {
		return []adapters.Value{{Field: "title", V: "Three (edited)"}}, nil
	})
	if err != nil || rec.Modified != adapters.True {
		t.Fatalf("update: %+v %v", rec, err)
	}
	if calls := svc.calls(); !strings.HasPrefix(calls[len(calls)-1], "PUT /rows/6 ") {
		t.Errorf("the replace went to %q, want the draft record 6", calls[len(calls)-1])
	}
	if _, err := a.Publish(ctx, "en", id, adapters.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	pub := svc.with(map[string]any{"doc": id, "state": "live"})
	if len(pub) != 1 || pub[0]["title"] != "Three (edited)" || pub[0]["id"] != 5.0 {
		t.Errorf("published records after publish: %v", pub)
	}
	// A first publication creates the published record.
	if _, err := a.Publish(ctx, "en", "d2", adapters.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	if pub := svc.with(map[string]any{"doc": "d2", "state": "live"}); len(pub) != 1 || pub[0]["title"] != "Two (draft)" {
		t.Errorf("d2 published: %v", pub)
	}
	if rec, err := a.Unpublish(ctx, "en", "d2"); err != nil || string(rec.Extra) != `"lastPublishedAt":null` {
		t.Fatalf("unpublish: %+v %v", rec, err)
	}
	if pub := svc.with(map[string]any{"doc": "d2", "state": "live"}); len(pub) != 0 {
		t.Errorf("d2 still published: %v", pub)
	}
	if _, err := a.Unpublish(ctx, "en", "d2"); !errors.Is(err, apos.ErrNotFound) {
		t.Errorf("unpublish twice: %v", err)
	}
	if err := a.Delete(ctx, enDraft, id, nil); err != nil {
		t.Fatal(err)
	}
	if got := svc.with(map[string]any{"doc": id}); len(got) != 0 {
		t.Errorf("records left after deleting the draft: %v", got)
	}
	if got := svc.with(map[string]any{"doc": "d1"}); len(got) != 3 {
		t.Errorf("d1 was touched: %v", got)
	}
}

// TestWorkflowRoutes: publish and unpublish as any method with a body.
func TestWorkflowRoutes(t *testing.T) {
	a, svc := rowsAdapter(t, seedRows(), func(s string) string {
		return strings.Replace(s, `delete = { path = "/rows/{key}" }`, `delete = { path = "/rows/{key}" }
publish = { method = "patch", path = "/rows/{key}", body = '{"published":"{group}/{locale}"}' }
unpublish = { method = "PATCH", path = "/rows/{key}", body = '{"state":"withdrawn"}' }`, 1)
	})
	if _, err := a.Publish(ctx, "en", "d1", adapters.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	if calls := svc.calls(); !slices.Contains(calls, `PATCH /rows/2 {"published":"d1/en"}`) {
		t.Errorf("publish calls: %q", calls)
	}
	if _, err := a.Unpublish(ctx, "en", "d1"); err != nil {
		t.Fatal(err)
	}
	if calls := svc.calls(); !slices.Contains(calls, `PATCH /rows/1 {"state":"withdrawn"}`) {
		t.Errorf("unpublish calls: %q", calls)
	}
	if _, err := a.Get(ctx, enLive, "d1"); !errors.Is(err, apos.ErrNotFound) {
		t.Errorf("d1 after unpublish: %v", err)
	}
	if len(svc.with(map[string]any{"id": 1})) != 1 {
		t.Error("the published record was deleted rather than withdrawn")
	}
}

// TestDialect: sort, filters, search and paging go out in the service's
// own syntax, values escaped as configured.
func TestDialect(t *testing.T) {
	a, svc := rowsAdapter(t, seedRows(), nil)
	tests := []struct {
		name string
		q    adapters.Query
		want string // the query after the list route's own
	}{
		{"sort", adapters.Query{Sort: []adapters.Sort{{Field: "n", Desc: true}, {Field: "title"}}}, "_page=1&_limit=10&_sort=n%2Ctitle&_order=desc%2Casc"},
		{"contains, escaped", adapters.Query{Filters: []adapters.Filter{{Field: "title", Op: adapters.OpContains, Values: []any{"a(b"}}}},
			`_page=1&_limit=10&title_like=a%5C%28b`},
		{"range", adapters.Query{Filters: []adapters.Filter{{Field: "n", Op: adapters.OpRange, Values: []any{int64(1), int64(5)}}}},
			"_page=1&_limit=10&n_gte=1&n_lte=5"},
		{"equal", adapters.Query{Filters: []adapters.Filter{{Field: "n", Op: adapters.OpEqual, Values: []any{int64(2)}}}}, "_page=1&_limit=10&n=2"},
		{"several values", adapters.Query{Filters: []adapters.Filter{{Field: "tag", Op: adapters.OpIn, Values: []any{"a", "b"}}}},
			"_page=1&_limit=10&tag=a&tag=b"},
		{"search", adapters.Query{Search: "o.e"}, `_page=1&_limit=10&title_like=o%5C.e`},
		{"autocomplete", adapters.Query{Autocomplete: "on"}, `_page=1&_limit=10&title_like=%5Eon`},
		{"page 2", adapters.Query{Page: 2, PerPage: 3}, "_page=2&_limit=3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Scope = enDraft
			if q.Page == 0 {
				q.Page, q.PerPage = 1, 10
			}
			if _, err := a.List(ctx, &q); err != nil {
				t.Fatal(err)
			}
			calls := svc.calls()
			if want := "GET /rows?lang=en&state=draft&" + tt.want; len(calls) != 1 || calls[0] != want {
				t.Errorf("calls %q, want %q", calls, want)
			}
		})
	}
	for _, q := range []adapters.Query{
		{Sort: []adapters.Sort{{Field: "tag"}}},
		{Filters: []adapters.Filter{{Field: "n", Op: adapters.OpIn, Values: []any{int64(1), int64(2)}}}},
	} {
		q.Scope, q.Page, q.PerPage = enDraft, 1, 10
		if _, err := a.List(ctx, &q); !errors.Is(err, apos.ErrInvalid) {
			t.Errorf("%+v: %v, want invalid", q, err)
		}
	}
}

// TestSignedSortAndStartEnd: sort=-field without an order parameter, and
// paging by start and end.
func TestSignedSortAndStartEnd(t *testing.T) {
	a, svc := rowsAdapter(t, seedRows(), func(s string) string {
		s = strings.Replace(s, `sort = { param = "_sort", order = "_order", fields = ["title", "n"] }`, `sort = { param = "sort", fields = ["title", "n"] }`, 1)
		return strings.Replace(s, `paging = { page = "_page", size = "_limit" }`, `paging = { start = "_start", end = "_end" }`, 1)
	})
	q := adapters.Query{Scope: enDraft, Page: 3, PerPage: 4, Sort: []adapters.Sort{{Field: "n", Desc: true}, {Field: "title"}}}
	_, _ = a.List(ctx, &q)
	if calls := svc.calls(); len(calls) != 1 || calls[0] != "GET /rows?lang=en&state=draft&_start=8&_end=12&sort=-n%2Ctitle" {
		t.Errorf("calls %q", calls)
	}
}

// TestTotalHeaderMissing: a list answer without its total header is the
// service failing the mapping (502), and the probe names the key.
func TestTotalHeaderMissing(t *testing.T) {
	a, _ := rowsAdapter(t, seedRows(), func(s string) string {
		return strings.Replace(s, `total_header = "X-Total-Count"`, `total_header = "X-Total"`, 1)
	})
	if _, err := a.List(ctx, &adapters.Query{Scope: enLive, Page: 1, PerPage: 5}); !errors.Is(err, apos.ErrBadGateway) {
		t.Errorf("list: %v", err)
	}
	var m *MappingError
	if err := a.Probe(ctx); !errors.As(err, &m) || m.Path != "types.doc.service.response.total_header" {
		t.Errorf("probe: %v", err)
	}
}

// TestProbe: each key of a mapping the live service shows wrong is named.
func TestProbe(t *testing.T) {
	tests := []struct{ old, new, path string }{
		{"", "", ""},
		{`items = "@this"`, `items = "data"`, "types.doc.service.response.items"},
		{`group = "doc"`, `group = "document"`, "types.doc.service.group"},
		{`mode = { column = "state", values = { live = "published" } }`, `mode = { column = "state" }`, ""},
		{`locale = { column = "lang" }`, `locale = { column = "language" }`, "types.doc.locale.column"},
		{`list = { path = "/rows?`, `list = { path = "/row?`, "types.doc.service.list.path"},
	}
	for _, tt := range tests {
		a, _ := rowsAdapter(t, seedRows(), func(s string) string { return strings.Replace(s, tt.old, tt.new, 1) })
		err := a.Probe(ctx)
		var m *MappingError
		switch {
		case tt.path == "" && err != nil:
			t.Errorf("%s: probe of a good mapping: %v", tt.new, err)
		case tt.path != "" && (!errors.As(err, &m) || m.Path != tt.path):
			t.Errorf("%s: probe: %v, want an error at %s", tt.new, err, tt.path)
		}
	}
	seed := seedRows()
	seed[0]["n"] = "lots"
	a, _ := rowsAdapter(t, seed, nil)
	var m *MappingError
	if err := a.Probe(ctx); !errors.As(err, &m) || m.Path != "types.doc.fields[1].column" {
		t.Errorf("probe of an item whose n is not an integer: %v", err)
	}
}

// TestSharedKeyMismatch: a service that ignores the locale or mode of a
// get answers with another variant; it is never served.
func TestSharedKeyMismatch(t *testing.T) {
	url := serve(t, body(`{"data":{"item":{"itemId":"INV-0001","language":"fr","state":"live","label":"x","qty":1},"items":[{"itemId":"INV-0001","language":"fr","state":"live","label":"x"}],"total":1}}`)(nil))
	a := adapterAt(t, url, nil)
	if _, err := a.Get(ctx, enLive, "INV-0001"); !errors.Is(err, apos.ErrNotFound) {
		t.Errorf("get of another locale: %v", err)
	}
	if _, err := a.Get(ctx, frDraft, "INV-0001"); !errors.Is(err, apos.ErrNotFound) {
		t.Errorf("get of another mode: %v", err)
	}
	if _, err := a.Get(ctx, frLive, "INV-0002"); !errors.Is(err, apos.ErrNotFound) {
		t.Errorf("get of another key: %v", err)
	}
	if _, err := a.Get(ctx, frLive, "INV-0001"); err != nil {
		t.Errorf("get of the right variant: %v", err)
	}
	if _, err := a.List(ctx, &adapters.Query{Scope: enLive, Page: 1, PerPage: 5}); !errors.Is(err, apos.ErrBadGateway) {
		t.Errorf("list with an item of another locale: %v", err)
	}
	if _, err := a.Unpublish(ctx, "en", "INV-0001"); !errors.Is(err, apos.ErrNotFound) {
		t.Errorf("unpublish of another locale's record: %v", err)
	}
}
