package adaptertest

import (
	"reflect"
	"slices"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// refused fails t unless listing q is refused as invalid.
func refused(t *testing.T, a adapters.Adapter, q adapters.Query) {
	t.Helper()
	_, err := a.List(t.Context(), query(q))
	wantErr(t, err, apos.ErrInvalid)
}

func (s *suite) testSort(t *testing.T, a adapters.Adapter) {
	if !s.Caps.Sort {
		for name, q := range map[string]adapters.Query{
			"refused":          {Sort: []adapters.Sort{{Field: "title"}}},
			"refused with ids": {Sort: []adapters.Sort{{Field: "title", Desc: true}}, IDs: []string{"chair1"}},
			"refused on count": {Sort: []adapters.Sort{{Field: "title"}}, CountOnly: true},
		} {
			t.Run(name, func(t *testing.T) { refused(t, a, q) })
		}
		return
	}
	for _, c := range s.Fixture.Sorts {
		t.Run(c.Name, func(t *testing.T) { s.check(t, a, c) })
	}
}

func (s *suite) testFilters(t *testing.T, a adapters.Adapter) {
	for _, c := range s.Fixture.Filters {
		t.Run(c.Name, func(t *testing.T) {
			s.check(t, a, c)
			if c.Query.Page <= 1 {
				c.Total = max(c.Total, len(c.Want))
				s.checkCount(t, a, c)
			}
		})
	}
	for _, f := range s.Fixture.Schema.Fields {
		if f.Kind == apos.JSON || slices.Contains(s.Caps.Filters, f.Name) {
			continue
		}
		t.Run("refused on "+f.Name, func(t *testing.T) {
			refused(t, a, adapters.Query{Filters: []adapters.Filter{{Field: f.Name, Op: adapters.OpEqual, Values: []any{nil}}}})
		})
	}
	if len(s.Caps.Filters) == 0 {
		return
	}
	field := s.Caps.Filters[0]
	if !s.Caps.Range {
		t.Run("range refused", func(t *testing.T) {
			refused(t, a, adapters.Query{Filters: []adapters.Filter{{Field: field, Op: adapters.OpRange, Values: []any{nil, nil}}}})
		})
	}
	if !s.Caps.In {
		t.Run("several values refused", func(t *testing.T) {
			refused(t, a, adapters.Query{Filters: []adapters.Filter{{Field: field, Op: adapters.OpIn, Values: []any{"a", "b"}}}})
		})
	}
	if !s.Caps.Combine {
		t.Run("with ids refused", func(t *testing.T) {
			refused(t, a, adapters.Query{IDs: []string{"chair1"}, Filters: s.Fixture.Filters[0].Query.Filters})
		})
	}
}

func (s *suite) testDistinct(t *testing.T, a adapters.Adapter) {
	d, ok := a.(adapters.Distincter)
	if !s.Caps.Distinct {
		if ok {
			_, err := d.Distinct(t.Context(), query(adapters.Query{}), "title")
			wantErr(t, err, apos.ErrInvalid)
		}
		return
	}
	if !ok {
		t.Fatal("Caps.Distinct, but the adapter is no adapters.Distincter")
	}
	for _, c := range s.Fixture.Distinct {
		t.Run(c.Name, func(t *testing.T) {
			got, err := d.Distinct(t.Context(), query(c.Query), c.Field)
			must(t, err)
			if !reflect.DeepEqual(got, c.Want) {
				t.Fatalf("got %v, want %v", got, c.Want)
			}
		})
	}
}
