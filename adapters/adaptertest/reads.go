package adaptertest

import (
	"reflect"
	"slices"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

func (s *suite) testSchema(t *testing.T, a adapters.Adapter) {
	got, want := a.Schema(), s.Fixture.Schema
	if got.Type != want.Type || got.Localized != want.Localized || got.Storage != want.Storage {
		t.Fatalf("schema %+v, want %+v", got, want)
	}
	if len(got.Fields) != len(want.Fields) {
		t.Fatalf("fields %+v, want %+v", got.Fields, want.Fields)
	}
	for i, f := range got.Fields {
		w := want.Fields[i]
		if f.Name != w.Name || f.Kind != w.Kind || f.Required != w.Required || f.ReadOnly != w.ReadOnly ||
			f.Searchable != w.Searchable || f.Auto != w.Auto || !slices.Equal(f.Choices, w.Choices) {
			t.Errorf("field %d = %+v, want %+v", i, f, w)
		}
	}
}

func (s *suite) testGet(t *testing.T, a adapters.Adapter) {
	for _, tc := range []struct {
		name     string
		scope    apos.Scope
		docID    string
		modified adapters.Tristate
	}{
		{"published", EnPub, "chair1", adapters.Unknown},
		{"draft equal in what clients write", EnDraft, "chair1", adapters.False},
		{"draft changed", EnDraft, "table2", adapters.True},
		{"draft never published", EnDraft, "lamp3", adapters.True},
		{"other locale", FrPub, "chair1", adapters.Unknown},
		{"other locale draft", FrDraft, "bench7", adapters.False},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := a.Get(t.Context(), tc.scope, tc.docID)
			must(t, err)
			if rec.DocID != tc.docID || rec.Scope != tc.scope || rec.Modified != tc.modified {
				t.Errorf("record %s %+v modified %v, want %s %+v modified %v",
					rec.DocID, rec.Scope, rec.Modified, tc.docID, tc.scope, tc.modified)
			}
			s.same(t, rec.Fields, s.Fixture.doc(tc.docID, tc.scope).Fields)
		})
	}
	for _, tc := range []struct {
		name  string
		scope apos.Scope
		docID string
	}{
		{"unknown key", EnPub, "nope"},
		{"draft only", EnPub, "lamp3"},
		{"not in this locale", EnPub, "bench7"},
		{"locale without documents", apos.Scope{Locale: "de", Mode: apos.Published}, "chair1"},
		{"not an id", EnPub, "b-!!"},
		{"previous mode", apos.Scope{Locale: "en", Mode: apos.Previous}, "chair1"},
	} {
		t.Run("not found/"+tc.name, func(t *testing.T) { absent(t, a, tc.scope, tc.docID) })
	}
}

func (s *suite) testList(t *testing.T, a adapters.Adapter) {
	cases := []Case{
		{Name: "by key", Want: []string{"chair1", "rug5", "sofa4", "stool6", "table2"}},
		{Name: "drafts", Query: adapters.Query{Scope: EnDraft}, Want: []string{"chair1", "lamp3", "rug5", "sofa4", "stool6", "table2"}},
		{Name: "locale", Query: adapters.Query{Scope: FrPub}, Want: []string{"bench7", "chair1"}},
		{Name: "locale without documents", Query: adapters.Query{Scope: apos.Scope{Locale: "de", Mode: apos.Published}}, Want: []string{}},
		{Name: "ids in their order", Query: adapters.Query{IDs: []string{"stool6", "chair1", "nope", "lamp3", "b-!!", "table2"}},
			Want: []string{"stool6", "chair1", "table2"}},
		{Name: "ids paged", Query: adapters.Query{IDs: []string{"stool6", "chair1", "table2"}, Page: 2, PerPage: 2},
			Want: []string{"table2"}, Total: 3},
		{Name: "ids repeated", Query: adapters.Query{IDs: []string{"sofa4", "chair1", "sofa4"}}, Want: []string{"sofa4", "chair1"}},
		{Name: "ids of drafts", Query: adapters.Query{Scope: EnDraft, IDs: []string{"lamp3", "table2"}}, Want: []string{"lamp3", "table2"}},
		{Name: "no ids", Query: adapters.Query{IDs: []string{}}, Want: []string{}},
		{Name: "no valid ids", Query: adapters.Query{IDs: []string{"b-!!"}}, Want: []string{}},
		{Name: "search", Query: adapters.Query{Search: "OAK"}, Want: []string{"table2"}},
		{Name: "search a substring", Query: adapters.Query{Search: "sofa"}, Want: []string{"sofa4"}},
		{Name: "search wildcards literally", Query: adapters.Query{Search: "100%"}, Want: []string{"rug5"}},
		{Name: "search nothing", Query: adapters.Query{Search: "zzz"}, Want: []string{}},
		{Name: "search drafts", Query: adapters.Query{Scope: EnDraft, Search: "revised"}, Want: []string{"table2"}},
		{Name: "search paged", Query: adapters.Query{Search: "o", Page: 2, PerPage: 3}, Want: []string{"table2"}, Total: 4},
	}
	if s.Caps.Combine {
		cases = append(cases, Case{Name: "ids with search",
			Query: adapters.Query{Search: "o", IDs: []string{"sofa4", "chair1", "stool6"}}, Want: []string{"sofa4", "stool6"}})
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { s.check(t, a, c) })
	}
	if !s.Caps.Combine {
		t.Run("ids with search refused", func(t *testing.T) {
			refused(t, a, adapters.Query{Search: "o", IDs: []string{"sofa4"}})
		})
	}
	t.Run("projection", func(t *testing.T) {
		second := s.Fixture.Schema.Fields[1].Name
		for _, sc := range []apos.Scope{EnPub, EnDraft} {
			p, err := a.List(t.Context(), query(adapters.Query{Scope: sc, Project: []string{second, "title"}, IDs: []string{"chair1"}}))
			must(t, err)
			if len(p.Records) != 1 {
				t.Fatalf("got %v", ids(p.Records))
			}
			s.same(t, p.Records[0].Fields, project(s.Fixture.doc("chair1", sc).Fields, "title", second))
		}
	})
	t.Run("count only", func(t *testing.T) {
		for _, c := range []Case{
			{Name: "all", Query: adapters.Query{PerPage: 2}, Total: 5},
			{Name: "drafts", Query: adapters.Query{Scope: EnDraft}, Total: 6},
			{Name: "search", Query: adapters.Query{Search: "o", PerPage: 2}, Total: 4},
			{Name: "ids", Query: adapters.Query{IDs: []string{"chair1", "nope", "lamp3", "rug5"}}, Total: 2},
		} {
			s.checkCount(t, a, c)
		}
	})
}

// testAutocomplete checks word starts; an adapter whose autocomplete is
// its search must give what search gives, which includes the words.
func (s *suite) testAutocomplete(t *testing.T, a adapters.Adapter) {
	for _, tc := range []struct {
		name, term string
		words      []string
	}{
		{"a first word", "ba", []string{"stool6"}},
		{"a later word", "ST", []string{"stool6"}},
		{"words", "r", []string{"chair1", "rug5"}},
		{"no word inside", "ug", []string{}},
		{"after a space only", "blend", []string{}},
		{"wildcards literally", "wool_", []string{"rug5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s.Caps.Autocomplete {
				s.check(t, a, Case{Query: adapters.Query{Autocomplete: tc.term}, Want: tc.words})
				return
			}
			p, err := a.List(t.Context(), query(adapters.Query{Search: tc.term}))
			must(t, err)
			s.check(t, a, Case{Query: adapters.Query{Autocomplete: tc.term}, Want: ids(p.Records)})
			for _, w := range tc.words {
				if !slices.Contains(ids(p.Records), w) {
					t.Errorf("autocomplete %q missed %s", tc.term, w)
				}
			}
		})
	}
}

func (s *suite) testPaging(t *testing.T, a adapters.Adapter) {
	for _, c := range []Case{
		{Name: "first", Query: adapters.Query{Page: 1, PerPage: 2}, Want: []string{"chair1", "rug5"}, Total: 5},
		{Name: "second", Query: adapters.Query{Page: 2, PerPage: 2}, Want: []string{"sofa4", "stool6"}, Total: 5},
		{Name: "last", Query: adapters.Query{Page: 3, PerPage: 2}, Want: []string{"table2"}, Total: 5},
		{Name: "past the end", Query: adapters.Query{Page: 4, PerPage: 2}, Want: []string{}, Total: 5},
		{Name: "drafts", Query: adapters.Query{Scope: EnDraft, Page: 2, PerPage: 4}, Want: []string{"stool6", "table2"}, Total: 6},
	} {
		t.Run(c.Name, func(t *testing.T) { s.check(t, a, c) })
	}
}

func (s *suite) testModified(t *testing.T, a adapters.Adapter) {
	want := map[string]adapters.Tristate{
		"chair1": adapters.False, "table2": adapters.True, "lamp3": adapters.True,
		"sofa4": adapters.False, "rug5": adapters.False, "stool6": adapters.False,
	}
	for key, w := range want {
		rec, err := a.Get(t.Context(), EnDraft, key)
		must(t, err)
		if rec.Modified != w {
			t.Errorf("get %s modified %v, want %v", key, rec.Modified, w)
		}
	}
	for _, q := range []adapters.Query{
		{Scope: EnDraft},
		{Scope: EnDraft, PerPage: 2, Page: 2},
		{Scope: EnDraft, Project: []string{"title"}},
		{Scope: EnDraft, IDs: []string{"table2", "chair1"}},
	} {
		p, err := a.List(t.Context(), query(q))
		must(t, err)
		for _, r := range p.Records {
			if r.Modified != want[r.DocID] && (s.Caps.ListModified || r.Modified != adapters.Unknown) {
				t.Errorf("%+v: %s modified %v, want %v", q, r.DocID, r.Modified, want[r.DocID])
			}
		}
	}
	p, err := a.List(t.Context(), query(adapters.Query{}))
	must(t, err)
	for _, r := range p.Records {
		if r.Modified != adapters.Unknown {
			t.Errorf("published %s modified %v, want unknown", r.DocID, r.Modified)
		}
	}
}

// check lists c's query and compares the keys, the total, the scope and
// the fields of the records with the fixture's.
func (s *suite) check(t *testing.T, a adapters.Adapter, c Case) {
	t.Helper()
	q := query(c.Query)
	p, err := a.List(t.Context(), q)
	must(t, err)
	total := c.Total
	if total == 0 {
		total = len(c.Want)
	}
	if got := ids(p.Records); !reflect.DeepEqual(got, c.Want) || p.Total != total {
		t.Fatalf("got %v total %d, want %v total %d", got, p.Total, c.Want, total)
	}
	for _, r := range p.Records {
		if r.Scope != q.Scope {
			t.Fatalf("record %s scope %+v, want %+v", r.DocID, r.Scope, q.Scope)
		}
		if q.Project == nil {
			s.same(t, r.Fields, s.Fixture.doc(r.DocID, r.Scope).Fields)
		}
	}
}

// checkCount asks c's query for its count only.
func (s *suite) checkCount(t *testing.T, a adapters.Adapter, c Case) {
	t.Helper()
	q := query(c.Query)
	q.CountOnly = true
	p, err := a.List(t.Context(), q)
	must(t, err)
	if p.Total != c.Total || len(p.Records) != 0 {
		t.Errorf("%s: count only got %v total %d, want no records, total %d", c.Name, ids(p.Records), p.Total, c.Total)
	}
}
