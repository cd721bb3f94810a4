package adaptertest

import (
	"reflect"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
)

// Factory returns an adapter over a fresh backend seeded with the fixture.
type Factory func(t *testing.T) adapters.Adapter

// Scopes of the fixture.
var (
	enPub   = adapters.Scope{Locale: "en", Mode: adapters.Published}
	enDraft = adapters.Scope{Locale: "en", Mode: adapters.Draft}
	frPub   = adapters.Scope{Locale: "fr", Mode: adapters.Published}
	frDraft = adapters.Scope{Locale: "fr", Mode: adapters.Draft}
)

// Run runs the suite on the adapters newAdapter makes.
func Run(t *testing.T, newAdapter Factory) {
	t.Run("reads", func(t *testing.T) {
		a := newAdapter(t)
		t.Run("schema", func(t *testing.T) { testSchema(t, a) })
		t.Run("get", func(t *testing.T) { testGet(t, a) })
		t.Run("list", func(t *testing.T) { testList(t, a) })
		t.Run("filters", func(t *testing.T) { testFilters(t, a) })
		t.Run("paging", func(t *testing.T) { testPaging(t, a) })
		t.Run("modified", func(t *testing.T) { testModified(t, a) })
		t.Run("distinct", func(t *testing.T) { testDistinct(t, a) })
	})
	t.Run("writes", func(t *testing.T) { testWrites(t, newAdapter) })
}

func testSchema(t *testing.T, a adapters.Adapter) {
	got, want := a.Schema(), Schema()
	if got.Type != want.Type || got.Localized != want.Localized || got.Storage != want.Storage {
		t.Fatalf("schema %+v, want %+v", got, want)
	}
	if len(got.Fields) != len(want.Fields) {
		t.Fatalf("fields %+v, want %+v", got.Fields, want.Fields)
	}
	for i, f := range got.Fields {
		w := want.Fields[i]
		if f.Name != w.Name || f.Kind != w.Kind || f.Required != w.Required ||
			f.Searchable != w.Searchable || f.Auto != w.Auto {
			t.Errorf("field %d = %+v, want %+v", i, f, w)
		}
	}
}

func testGet(t *testing.T, a adapters.Adapter) {
	for _, tc := range []struct {
		name     string
		scope    adapters.Scope
		docID    string
		modified adapters.Tristate
	}{
		{"published", enPub, "chair1", adapters.Unknown},
		{"draft equal but for auto fields", enDraft, "chair1", adapters.False},
		{"draft changed", enDraft, "table2", adapters.True},
		{"draft never published", enDraft, "lamp3", adapters.True},
		{"other locale", frPub, "chair1", adapters.Unknown},
		{"other locale draft", frDraft, "bench7", adapters.False},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := a.Get(t.Context(), tc.scope, tc.docID)
			must(t, err)
			if rec.DocID != tc.docID || rec.Scope != tc.scope || rec.Modified != tc.modified {
				t.Errorf("record %s %+v modified %v, want %s %+v modified %v",
					rec.DocID, rec.Scope, rec.Modified, tc.docID, tc.scope, tc.modified)
			}
			SameJSON(t, rec.Fields, find(tc.docID, tc.scope).fields())
		})
	}
	for _, tc := range []struct {
		name  string
		scope adapters.Scope
		docID string
	}{
		{"unknown key", enPub, "nope"},
		{"draft only", enPub, "lamp3"},
		{"not in this locale", enPub, "bench7"},
		{"unknown locale", adapters.Scope{Locale: "de", Mode: adapters.Published}, "chair1"},
		{"not an id", enPub, "b-!!"},
		{"previous mode", adapters.Scope{Locale: "en", Mode: adapters.Previous}, "chair1"},
	} {
		t.Run("not found/"+tc.name, func(t *testing.T) {
			_, err := a.Get(t.Context(), tc.scope, tc.docID)
			wantErr(t, err, adapters.ErrNotFound)
		})
	}
}

func testList(t *testing.T, a adapters.Adapter) {
	for _, tc := range []struct {
		name  string
		q     adapters.Query
		want  []string
		total int
	}{
		{"by key", adapters.Query{Scope: enPub}, []string{"chair1", "rug5", "sofa4", "stool6", "table2"}, 5},
		{"drafts", adapters.Query{Scope: enDraft}, []string{"chair1", "lamp3", "rug5", "sofa4", "stool6", "table2"}, 6},
		{"locale", adapters.Query{Scope: frPub}, []string{"bench7", "chair1"}, 2},
		{"unknown locale", adapters.Query{Scope: adapters.Scope{Locale: "de", Mode: adapters.Published}}, []string{}, 0},
		{"title ascending, ignoring case",
			adapters.Query{Scope: enPub, Sort: []adapters.Sort{{Field: "title"}}},
			[]string{"stool6", "sofa4", "table2", "chair1", "rug5"}, 5},
		{"title descending",
			adapters.Query{Scope: enPub, Sort: []adapters.Sort{{Field: "title", Desc: true}}},
			[]string{"rug5", "chair1", "table2", "sofa4", "stool6"}, 5},
		{"price ascending, ties by key",
			adapters.Query{Scope: enPub, Sort: []adapters.Sort{{Field: "price"}}},
			[]string{"chair1", "rug5", "sofa4", "stool6", "table2"}, 5},
		{"price descending, ties by key",
			adapters.Query{Scope: enPub, Sort: []adapters.Sort{{Field: "price", Desc: true}}},
			[]string{"table2", "sofa4", "stool6", "rug5", "chair1"}, 5},
		{"color ascending, empty first",
			adapters.Query{Scope: enPub, Sort: []adapters.Sort{{Field: "color"}}},
			[]string{"rug5", "stool6", "sofa4", "table2", "chair1"}, 5},
		{"color descending, empty last",
			adapters.Query{Scope: enPub, Sort: []adapters.Sort{{Field: "color", Desc: true}}},
			[]string{"chair1", "table2", "sofa4", "stool6", "rug5"}, 5},
		{"two keys",
			adapters.Query{Scope: enPub, Sort: []adapters.Sort{{Field: "inStock"}, {Field: "price", Desc: true}}},
			[]string{"table2", "rug5", "sofa4", "stool6", "chair1"}, 5},
		{"ids in their order",
			adapters.Query{Scope: enPub, IDs: []string{"stool6", "chair1", "nope", "lamp3", "b-!!", "table2"}},
			[]string{"stool6", "chair1", "table2"}, 3},
		{"ids override the sort",
			adapters.Query{Scope: enPub, IDs: []string{"table2", "chair1"}, Sort: []adapters.Sort{{Field: "title"}}},
			[]string{"table2", "chair1"}, 2},
		{"ids paged",
			adapters.Query{Scope: enPub, IDs: []string{"stool6", "chair1", "table2"}, Page: 2, PerPage: 2},
			[]string{"table2"}, 3},
		{"no ids", adapters.Query{Scope: enPub, IDs: []string{}}, []string{}, 0},
		{"no valid ids", adapters.Query{Scope: enPub, IDs: []string{"b-!!"}}, []string{}, 0},
		{"search", adapters.Query{Scope: enPub, Search: "OAK"}, []string{"table2"}, 1},
		{"search a substring", adapters.Query{Scope: enPub, Search: "sofa"}, []string{"sofa4"}, 1},
		{"search wildcards literally", adapters.Query{Scope: enPub, Search: "100%"}, []string{"rug5"}, 1},
		{"search nothing", adapters.Query{Scope: enPub, Search: "zzz"}, []string{}, 0},
		{"autocomplete a first word", adapters.Query{Scope: enPub, Autocomplete: "ba"}, []string{"stool6"}, 1},
		{"autocomplete a later word", adapters.Query{Scope: enPub, Autocomplete: "ST"}, []string{"stool6"}, 1},
		{"autocomplete words", adapters.Query{Scope: enPub, Autocomplete: "r"}, []string{"chair1", "rug5"}, 2},
		{"autocomplete no word inside", adapters.Query{Scope: enPub, Autocomplete: "ug"}, []string{}, 0},
		{"autocomplete after a space only", adapters.Query{Scope: enPub, Autocomplete: "blend"}, []string{}, 0},
		{"autocomplete wildcards literally", adapters.Query{Scope: enPub, Autocomplete: "wool_"}, []string{"rug5"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.List(t.Context(), &tc.q)
			must(t, err)
			if got := ids(p.Records); !reflect.DeepEqual(got, tc.want) || p.Total != tc.total {
				t.Fatalf("got %v total %d, want %v total %d", got, p.Total, tc.want, tc.total)
			}
			for _, r := range p.Records {
				if r.Scope != tc.q.Scope {
					t.Fatalf("record %s scope %+v, want %+v", r.DocID, r.Scope, tc.q.Scope)
				}
				SameJSON(t, r.Fields, find(r.DocID, r.Scope).fields())
			}
		})
	}
	t.Run("projection", func(t *testing.T) {
		for _, s := range []adapters.Scope{enPub, enDraft} {
			p, err := a.List(t.Context(), &adapters.Query{Scope: s, Project: []string{"price", "title"}, IDs: []string{"chair1"}})
			must(t, err)
			if len(p.Records) != 1 {
				t.Fatalf("got %v", ids(p.Records))
			}
			SameJSON(t, p.Records[0].Fields, `{"title":"Red Chair","price":1200}`)
		}
	})
	t.Run("count only", func(t *testing.T) {
		p, err := a.List(t.Context(), &adapters.Query{Scope: enPub, CountOnly: true, PerPage: 2, Filters: []adapters.Filter{
			{Field: "inStock", Op: adapters.OpEqual, Values: []any{true}},
		}})
		must(t, err)
		if p.Total != 3 || len(p.Records) != 0 {
			t.Fatalf("got %v total %d, want no records, total 3", ids(p.Records), p.Total)
		}
	})
}

func testFilters(t *testing.T, a adapters.Adapter) {
	for _, tc := range []struct {
		name string
		f    adapters.Filter
		want []string
	}{
		{"contains, ignoring case", adapters.Filter{Field: "title", Op: adapters.OpContains, Values: []any{"TABLE"}}, []string{"table2"}},
		{"contains several", adapters.Filter{Field: "title", Op: adapters.OpContains, Values: []any{"o"}}, []string{"rug5", "sofa4", "stool6", "table2"}},
		{"contains _ literally", adapters.Filter{Field: "title", Op: adapters.OpContains, Values: []any{"_"}}, []string{"rug5"}},
		{"contains % literally", adapters.Filter{Field: "title", Op: adapters.OpContains, Values: []any{"%"}}, []string{"rug5"}},
		{"contains the escape character", adapters.Filter{Field: "title", Op: adapters.OpContains, Values: []any{"!"}}, []string{}},
		{"in", adapters.Filter{Field: "color", Op: adapters.OpIn, Values: []any{"red", "blue"}}, []string{"chair1", "sofa4"}},
		{"in three", adapters.Filter{Field: "color", Op: adapters.OpIn, Values: []any{"red", "blue", "black"}}, []string{"chair1", "sofa4", "stool6"}},
		{"in nothing", adapters.Filter{Field: "color", Op: adapters.OpIn, Values: []any{}}, []string{}},
		{"range", adapters.Filter{Field: "price", Op: adapters.OpRange, Values: []any{int64(1500), int64(4000)}}, []string{"rug5", "sofa4", "stool6"}},
		{"range open below", adapters.Filter{Field: "price", Op: adapters.OpRange, Values: []any{nil, int64(1500)}}, []string{"chair1", "rug5"}},
		{"range open above", adapters.Filter{Field: "price", Op: adapters.OpRange, Values: []any{int64(4001), nil}}, []string{"table2"}},
		{"range of datetimes", adapters.Filter{Field: "createdAt", Op: adapters.OpRange,
			Values: []any{at("2024-02-10 08:00:00"), at("2024-05-20 16:45:00")}}, []string{"sofa4", "table2"}},
		{"equal integer", adapters.Filter{Field: "price", Op: adapters.OpEqual, Values: []any{int64(4000)}}, []string{"sofa4", "stool6"}},
		{"equal false", adapters.Filter{Field: "inStock", Op: adapters.OpEqual, Values: []any{false}}, []string{"rug5", "table2"}},
		{"equal true", adapters.Filter{Field: "inStock", Op: adapters.OpEqual, Values: []any{true}}, []string{"chair1", "sofa4", "stool6"}},
		{"equal empty", adapters.Filter{Field: "color", Op: adapters.OpEqual, Values: []any{nil}}, []string{"rug5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.List(t.Context(), &adapters.Query{Scope: enPub, Filters: []adapters.Filter{tc.f}})
			must(t, err)
			if got := ids(p.Records); !reflect.DeepEqual(got, tc.want) || p.Total != len(tc.want) {
				t.Fatalf("got %v total %d, want %v", got, p.Total, tc.want)
			}
		})
	}
	t.Run("combined with search", func(t *testing.T) {
		p, err := a.List(t.Context(), &adapters.Query{Scope: enPub, Search: "o", Filters: []adapters.Filter{
			{Field: "inStock", Op: adapters.OpEqual, Values: []any{true}},
			{Field: "price", Op: adapters.OpRange, Values: []any{int64(0), int64(4000)}},
		}})
		must(t, err)
		if got := ids(p.Records); !reflect.DeepEqual(got, []string{"sofa4", "stool6"}) {
			t.Fatalf("got %v", got)
		}
	})
}

func testPaging(t *testing.T, a adapters.Adapter) {
	for _, tc := range []struct {
		page int
		want []string
	}{
		{1, []string{"stool6", "sofa4"}},
		{2, []string{"table2", "chair1"}},
		{3, []string{"rug5"}},
		{4, []string{}},
	} {
		q := adapters.Query{Scope: enPub, Page: tc.page, PerPage: 2, Sort: []adapters.Sort{{Field: "title"}}}
		p, err := a.List(t.Context(), &q)
		must(t, err)
		if got := ids(p.Records); !reflect.DeepEqual(got, tc.want) || p.Total != 5 {
			t.Errorf("page %d: got %v total %d, want %v total 5", tc.page, got, p.Total, tc.want)
		}
	}
}

func testModified(t *testing.T, a adapters.Adapter) {
	want := map[string]adapters.Tristate{
		"chair1": adapters.False, "table2": adapters.True, "lamp3": adapters.True,
		"sofa4": adapters.False, "rug5": adapters.False, "stool6": adapters.False,
	}
	for _, q := range []adapters.Query{
		{Scope: enDraft},
		{Scope: enDraft, PerPage: 2, Page: 2},
		{Scope: enDraft, Project: []string{"title"}},
		{Scope: enDraft, IDs: []string{"table2", "chair1"}},
	} {
		p, err := a.List(t.Context(), &q)
		must(t, err)
		for _, r := range p.Records {
			if r.Modified != want[r.DocID] {
				t.Errorf("%+v: %s modified %v, want %v", q, r.DocID, r.Modified, want[r.DocID])
			}
		}
	}
	p, err := a.List(t.Context(), &adapters.Query{Scope: enPub})
	must(t, err)
	for _, r := range p.Records {
		if r.Modified != adapters.Unknown {
			t.Errorf("published %s modified %v, want unknown", r.DocID, r.Modified)
		}
	}
}

func testDistinct(t *testing.T, a adapters.Adapter) {
	d, ok := a.(adapters.Distincter)
	if !ok {
		t.Skip("the adapter has no Distinct")
	}
	inStock := adapters.Filter{Field: "inStock", Op: adapters.OpEqual, Values: []any{true}}
	red := adapters.Filter{Field: "color", Op: adapters.OpIn, Values: []any{"red"}}
	for _, tc := range []struct {
		name  string
		q     adapters.Query
		field string
		want  []adapters.Counted
	}{
		{"select", adapters.Query{Scope: enPub}, "color",
			[]adapters.Counted{{Value: "black", Count: 1}, {Value: "blue", Count: 1}, {Value: "green", Count: 1}, {Value: "red", Count: 1}}},
		{"own filter ignored", adapters.Query{Scope: enPub, Filters: []adapters.Filter{red, inStock}}, "color",
			[]adapters.Counted{{Value: "black", Count: 1}, {Value: "blue", Count: 1}, {Value: "red", Count: 1}}},
		{"integer", adapters.Query{Scope: enPub}, "price",
			[]adapters.Counted{{Value: int64(1200), Count: 1}, {Value: int64(1500), Count: 1}, {Value: int64(4000), Count: 2}, {Value: int64(25000), Count: 1}}},
		{"boolean", adapters.Query{Scope: enPub, Filters: []adapters.Filter{red}}, "inStock",
			[]adapters.Counted{{Value: true, Count: 1}}},
		{"boolean both", adapters.Query{Scope: enDraft}, "inStock",
			[]adapters.Counted{{Value: false, Count: 2}, {Value: true, Count: 4}}},
		{"search and ids", adapters.Query{Scope: enPub, Search: "o", IDs: []string{"sofa4", "stool6", "chair1"}}, "color",
			[]adapters.Counted{{Value: "black", Count: 1}, {Value: "blue", Count: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.Distinct(t.Context(), &tc.q, tc.field)
			must(t, err)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
