// Package adaptertest is the behaviour suite every adapters.Adapter must
// pass, whatever its backend. A backend's test describes its copy of the
// documents below (a Fixture, in the backend's own fields) and what its
// adapter can do (Caps), and hands Run a factory of adapters over freshly
// seeded backends. Run calls the factory once for the reads and once for
// each write, so that each write starts from the fixture again. The
// package is for _test files only.
//
// # The documents
//
// Every fixture holds the same documents of one localized type with
// columns storage (separate draft and published records), so that one set
// of expectations covers every adapter:
//
//	key     locale  modes      title
//	chair1  en      pub+draft  Red Chair
//	table2  en      pub+draft  Oak Table (the draft: Oak Table (revised))
//	lamp3   en      draft      Green Lamp
//	sofa4   en      pub+draft  blue sofa
//	rug5    en      pub+draft  Rug 100% wool_blend
//	stool6  en      pub+draft  Bar Stool
//	chair1  fr      pub+draft  Chaise Rouge
//	bench7  fr      pub+draft  Banc
//
// title is the schema's first field: a required, searchable string. The
// other fields are the fixture's own (Products is the SQL tests' one).
// Drafts equal their published records in the fields clients write, but
// for table2's title (so the table2 draft is modified); lamp3 was never
// published (so its draft is modified too). The locale de exists and holds
// nothing. The backend must refuse a document without a title and the
// fixture's Invalid values, and make new keys itself.
//
// # What it checks
//
// On every adapter: the schema; reads in each scope, and not found for
// unknown keys, other scopes and undecodable ids; lists by key with
// totals, paging, _ids in their order, search, autocomplete, projection
// and count only; the modified flag of drafts; inserts, updates and
// deletes with Apostrophe's draft and published rules, conflicts, field
// errors, and refusals that write nothing. The optional list features of
// Caps are checked with the fixture's cases when declared, and checked to
// be refused with apos.ErrInvalid when not, never silently ignored.
package adaptertest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// Factory returns an adapter over a fresh backend seeded with the fixture.
type Factory func(t *testing.T) adapters.Adapter

// Config is what Run needs to know about an adapter.
type Config struct {
	New     Factory
	Fixture *Fixture
	Caps    Caps
}

// Caps says which optional list features the adapter has. What it leaves
// out, the adapter must refuse with apos.ErrInvalid.
type Caps struct {
	// Sort: lists sort by fields (the fixture's Sorts cases).
	Sort bool
	// Filters names the fields lists can be filtered by. Filters on other
	// fields (but json ones, which the proxy never filters) are refused.
	Filters []string
	// Range: range filters. In: filters on several values at once.
	Range, In bool
	// Distinct: the adapter is an adapters.Distincter (the fixture's
	// Distinct cases). Without it, it must not be one or must refuse.
	Distinct bool
	// Autocomplete: autocomplete matches the start of a word. Without it,
	// it matches as search does, and must find at least those words.
	Autocomplete bool
	// Combine: _ids combine with search and filters.
	Combine bool
	// ListModified: lists tell whether drafts are modified. Without it,
	// lists may leave Modified unknown (the API then leaves it out), but
	// never wrong.
	ListModified bool
}

// suite is one run's configuration, whose methods are the tests.
type suite struct{ Config }

// Run runs the suite on the adapters c.New makes.
func Run(t *testing.T, c Config) {
	s := &suite{c}
	if p := append(s.Fixture.problems(), s.capsProblems()...); len(p) > 0 {
		t.Fatalf("adaptertest: the fixture does not fit the suite:\n%s", strings.Join(p, "\n"))
	}
	t.Run("reads", func(t *testing.T) {
		a := s.New(t)
		t.Run("schema", func(t *testing.T) { s.testSchema(t, a) })
		t.Run("get", func(t *testing.T) { s.testGet(t, a) })
		t.Run("list", func(t *testing.T) { s.testList(t, a) })
		t.Run("autocomplete", func(t *testing.T) { s.testAutocomplete(t, a) })
		t.Run("paging", func(t *testing.T) { s.testPaging(t, a) })
		t.Run("modified", func(t *testing.T) { s.testModified(t, a) })
		t.Run("sort", func(t *testing.T) { s.testSort(t, a) })
		t.Run("filters", func(t *testing.T) { s.testFilters(t, a) })
		t.Run("distinct", func(t *testing.T) { s.testDistinct(t, a) })
	})
	t.Run("writes", func(t *testing.T) { s.testWrites(t) })
}

// capsProblems lists the fixture's cases that use features Caps leaves
// out, and a declared feature without cases to check it.
func (s *suite) capsProblems() []string {
	var out []string
	if s.Caps.Sort && len(s.Fixture.Sorts) == 0 {
		out = append(out, "Caps.Sort without Sorts cases")
	}
	if s.Caps.Distinct && len(s.Fixture.Distinct) == 0 {
		out = append(out, "Caps.Distinct without Distinct cases")
	}
	if len(s.Caps.Filters) > 0 && len(s.Fixture.Filters) == 0 {
		out = append(out, "Caps.Filters without Filters cases")
	}
	ranges, several := false, false
	for _, c := range s.Fixture.Filters {
		for _, f := range c.Query.Filters {
			ranges = ranges || f.Op == adapters.OpRange
			several = several || f.Op == adapters.OpIn && len(f.Values) > 1
		}
	}
	if s.Caps.Range && !ranges {
		out = append(out, "Caps.Range without a range in Filters cases")
	}
	if s.Caps.In && !several {
		out = append(out, "Caps.In without several values in Filters cases")
	}
	queries := map[string]adapters.Query{}
	for _, c := range s.Fixture.Sorts {
		queries["sort "+c.Name] = c.Query
	}
	for _, c := range s.Fixture.Filters {
		queries["filter "+c.Name] = c.Query
	}
	for _, c := range s.Fixture.Distinct {
		queries["distinct "+c.Name] = c.Query
	}
	for name, q := range queries {
		if len(q.Sort) > 0 && !s.Caps.Sort {
			out = append(out, name+": sorts without Caps.Sort")
		}
		if q.IDs != nil && (q.Search != "" || len(q.Filters) > 0) && !s.Caps.Combine {
			out = append(out, name+": combines _ids without Caps.Combine")
		}
		for _, f := range q.Filters {
			switch {
			case !slices.Contains(s.Caps.Filters, f.Field):
				out = append(out, fmt.Sprintf("%s: filters %s, not in Caps.Filters", name, f.Field))
			case f.Op == adapters.OpRange && !s.Caps.Range:
				out = append(out, name+": a range without Caps.Range")
			case f.Op == adapters.OpIn && len(f.Values) > 1 && !s.Caps.In:
				out = append(out, name+": several values without Caps.In")
			}
		}
	}
	slices.Sort(out)
	return out
}

// query completes a case's query as the proxy would send it: en published
// unless it says otherwise, page 1 of 50 unless it pages.
func query(q adapters.Query) *adapters.Query {
	if q.Scope == (apos.Scope{}) {
		q.Scope = EnPub
	}
	q.Page = max(q.Page, 1)
	if q.PerPage == 0 {
		q.PerPage = 50
	}
	return &q
}
