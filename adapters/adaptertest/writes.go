package adaptertest

import (
	"errors"
	"slices"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// errRefused is what the test's change and check functions refuse with.
var errRefused = errors.New("refused")

// testWrites runs the inserts, updates and deletes, each on a fresh
// adapter.
func (s *suite) testWrites(t *testing.T) {
	s.testInserts(t)
	s.testInsertErrors(t)
	s.testUpdates(t)
	s.testUpdateEdges(t)
	s.testDeletes(t)
}

// testInserts inserts records in each scope, with and without a key.
func (s *suite) testInserts(t *testing.T) {
	f := s.Fixture
	t.Run("insert published creates the draft too", func(t *testing.T) {
		a := s.New(t)
		rec, err := a.Insert(t.Context(), EnPub, &adapters.Insert{DocID: "vase8", Values: f.New})
		must(t, err)
		if rec.DocID != "vase8" || rec.Scope != EnPub {
			t.Fatalf("inserted %s %+v", rec.DocID, rec.Scope)
		}
		s.same(t, rec.Fields, f.NewFields)
		draft, err := a.Get(t.Context(), EnDraft, "vase8")
		must(t, err)
		s.same(t, draft.Fields, f.NewFields)
		if draft.Modified != adapters.False {
			t.Errorf("draft modified %v, want false", draft.Modified)
		}
		absent(t, a, FrDraft, "vase8")
	})
	t.Run("insert draft creates only the draft", func(t *testing.T) {
		a := s.New(t)
		rec, err := a.Insert(t.Context(), EnDraft, &adapters.Insert{DocID: "vase8", Values: f.New})
		must(t, err)
		if rec.Scope != EnDraft || rec.Modified != adapters.True {
			t.Fatalf("inserted %+v modified %v, want draft, modified", rec.Scope, rec.Modified)
		}
		s.same(t, rec.Fields, f.NewFields)
		absent(t, a, EnPub, "vase8")
	})
	t.Run("insert in a second locale", func(t *testing.T) {
		a := s.New(t)
		_, err := a.Insert(t.Context(), FrPub, &adapters.Insert{DocID: "table2", Values: f.New})
		must(t, err)
		draft, err := a.Get(t.Context(), FrDraft, "table2")
		must(t, err)
		s.same(t, draft.Fields, f.NewFields)
		en, err := a.Get(t.Context(), EnPub, "table2")
		must(t, err)
		s.same(t, en.Fields, f.doc("table2", EnPub).Fields)
	})
	t.Run("insert makes a key", func(t *testing.T) {
		a := s.New(t)
		rec, err := a.Insert(t.Context(), EnPub, &adapters.Insert{Values: f.New})
		must(t, err)
		if !f.NewKey.MatchString(rec.DocID) {
			t.Fatalf("made id %q, want one matching %s", rec.DocID, f.NewKey)
		}
		_, err = a.Get(t.Context(), EnDraft, rec.DocID)
		must(t, err)
	})
}

// testInsertErrors inserts what must be refused, leaving nothing behind.
func (s *suite) testInsertErrors(t *testing.T) {
	f := s.Fixture
	t.Run("insert an existing key conflicts", func(t *testing.T) {
		a := s.New(t)
		_, err := a.Insert(t.Context(), EnPub, &adapters.Insert{DocID: "chair1", Values: f.New})
		wantErr(t, err, apos.ErrConflict)
		_, err = a.Insert(t.Context(), EnPub, &adapters.Insert{DocID: "lamp3", Values: f.New})
		wantErr(t, err, apos.ErrConflict)
		absent(t, a, EnPub, "lamp3") // the published record was undone
	})
	t.Run("insert bad values", func(t *testing.T) {
		a := s.New(t)
		for _, tc := range f.Invalid {
			t.Run(tc.Name, func(t *testing.T) {
				_, err := a.Insert(t.Context(), EnPub, &adapters.Insert{DocID: "vase8", Values: with(f.New, tc.Value)})
				namesField(t, err, tc.Path)
				absent(t, a, EnDraft, "vase8")
			})
		}
	})
}

// testUpdates updates drafts and published records.
func (s *suite) testUpdates(t *testing.T) {
	f := s.Fixture
	t.Run("update the draft", func(t *testing.T) {
		a := s.New(t)
		var seen string
		rec, err := a.Update(t.Context(), EnDraft, "table2", func(cur *adapters.Record) ([]adapters.Value, error) {
			seen = title(cur)
			if cur.Modified != adapters.True || cur.Scope != EnDraft {
				t.Errorf("current %+v modified %v", cur.Scope, cur.Modified)
			}
			return []adapters.Value{{Field: "title", V: "Oak Table"}}, nil
		})
		must(t, err)
		if seen != "Oak Table (revised)" {
			t.Errorf("change saw title %q", seen)
		}
		if title(rec) != "Oak Table" || rec.Modified != adapters.False {
			t.Errorf("updated title %q modified %v, want Oak Table, not modified (as published)", title(rec), rec.Modified)
		}
	})
	t.Run("update a draft never published", func(t *testing.T) {
		a := s.New(t)
		rec, err := a.Update(t.Context(), EnDraft, "lamp3", writes([]adapters.Value{{Field: "title", V: "Desk Lamp"}}))
		must(t, err)
		if title(rec) != "Desk Lamp" || rec.Modified != adapters.True {
			t.Errorf("updated title %q modified %v, want Desk Lamp, modified", title(rec), rec.Modified)
		}
		absent(t, a, EnPub, "lamp3")
	})
	t.Run("update published leaves the draft", func(t *testing.T) {
		a := s.New(t)
		rec, err := a.Update(t.Context(), EnPub, "chair1", writes(f.Edit))
		must(t, err)
		s.same(t, rec.Fields, f.Edited)
		draft, err := a.Get(t.Context(), EnDraft, "chair1")
		must(t, err)
		s.same(t, draft.Fields, f.doc("chair1", EnDraft).Fields)
		if draft.Modified != adapters.True {
			t.Errorf("draft modified %v, want true", draft.Modified)
		}
	})
	t.Run("update every field", func(t *testing.T) {
		a := s.New(t)
		rec, err := a.Update(t.Context(), EnPub, "rug5", writes(f.New))
		must(t, err)
		s.same(t, rec.Fields, f.NewFields)
	})
}

// testUpdateEdges updates with nothing to write, refused by the change,
// with bad values, and of missing records.
func (s *suite) testUpdateEdges(t *testing.T) {
	f := s.Fixture
	t.Run("update with nothing to write", func(t *testing.T) {
		a := s.New(t)
		rec, err := a.Update(t.Context(), EnPub, "chair1", writes(nil))
		must(t, err)
		s.same(t, rec.Fields, f.doc("chair1", EnPub).Fields)
	})
	t.Run("update refused by change", func(t *testing.T) {
		a := s.New(t)
		_, err := a.Update(t.Context(), EnPub, "chair1", func(*adapters.Record) ([]adapters.Value, error) {
			return []adapters.Value{{Field: "title", V: "Never"}}, errRefused
		})
		wantErr(t, err, errRefused)
		s.unchanged(t, a, EnPub, "chair1")
	})
	t.Run("update bad value", func(t *testing.T) {
		a := s.New(t)
		for _, tc := range f.Invalid {
			t.Run(tc.Name, func(t *testing.T) {
				values := []adapters.Value{{Field: "title", V: "Changed"}}
				values = append(values, f.Edit...)
				_, err := a.Update(t.Context(), EnPub, "chair1", writes(with(values, tc.Value)))
				namesField(t, err, tc.Path)
				s.unchanged(t, a, EnPub, "chair1")
			})
		}
	})
	t.Run("update missing", func(t *testing.T) {
		a := s.New(t)
		for _, tc := range []struct {
			scope apos.Scope
			docID string
		}{{EnPub, "lamp3"}, {EnPub, "nope"}, {EnPub, "b-!!"}, {FrPub, "table2"}} {
			_, err := a.Update(t.Context(), tc.scope, tc.docID, func(*adapters.Record) ([]adapters.Value, error) {
				t.Errorf("change called for %s", tc.docID)
				return nil, nil
			})
			wantErr(t, err, apos.ErrNotFound)
		}
	})
}

// testDeletes deletes drafts and published records.
func (s *suite) testDeletes(t *testing.T) {
	t.Run("delete the draft deletes the published record", func(t *testing.T) {
		a := s.New(t)
		var seen string
		must(t, a.Delete(t.Context(), EnDraft, "chair1", func(cur *adapters.Record) error {
			seen = cur.DocID
			return nil
		}))
		if seen != "chair1" {
			t.Errorf("check saw %q", seen)
		}
		absent(t, a, EnDraft, "chair1")
		absent(t, a, EnPub, "chair1")
		s.unchanged(t, a, FrDraft, "chair1")
		s.unchanged(t, a, FrPub, "chair1")
	})
	t.Run("delete a draft never published", func(t *testing.T) {
		a := s.New(t)
		must(t, a.Delete(t.Context(), EnDraft, "lamp3", func(*adapters.Record) error { return nil }))
		absent(t, a, EnDraft, "lamp3")
		s.unchanged(t, a, EnDraft, "table2")
	})
	t.Run("delete published keeps the draft", func(t *testing.T) {
		a := s.New(t)
		must(t, a.Delete(t.Context(), EnPub, "table2", func(*adapters.Record) error { return nil }))
		absent(t, a, EnPub, "table2")
		draft := s.unchanged(t, a, EnDraft, "table2")
		if draft.Modified != adapters.True {
			t.Errorf("draft modified %v, want true", draft.Modified)
		}
	})
	t.Run("delete refused by check", func(t *testing.T) {
		a := s.New(t)
		err := a.Delete(t.Context(), EnDraft, "chair1", func(*adapters.Record) error { return errRefused })
		wantErr(t, err, errRefused)
		s.unchanged(t, a, EnPub, "chair1")
		s.unchanged(t, a, EnDraft, "chair1")
	})
	t.Run("delete missing", func(t *testing.T) {
		a := s.New(t)
		for _, docID := range []string{"lamp3", "nope", "b-!!"} {
			err := a.Delete(t.Context(), EnPub, docID, func(*adapters.Record) error {
				t.Errorf("check called for %s", docID)
				return nil
			})
			wantErr(t, err, apos.ErrNotFound)
		}
	})
}

// unchanged fails t unless the record of docID in scope sc is still the
// fixture's, and returns it.
func (s *suite) unchanged(t *testing.T, a adapters.Adapter, sc apos.Scope, docID string) *adapters.Record {
	t.Helper()
	rec, err := a.Get(t.Context(), sc, docID)
	must(t, err)
	s.same(t, rec.Fields, s.Fixture.doc(docID, sc).Fields)
	return rec
}

// absent fails t unless there is no record of docID in scope sc.
func absent(t *testing.T, a adapters.Adapter, sc apos.Scope, docID string) {
	t.Helper()
	_, err := a.Get(t.Context(), sc, docID)
	wantErr(t, err, apos.ErrNotFound)
}

// writes is a change that writes values, whatever the current record.
func writes(values []adapters.Value) adapters.Change {
	return func(*adapters.Record) ([]adapters.Value, error) { return values, nil }
}

// with returns values with v in place of the value of the same field, or
// added when there is none.
func with(values []adapters.Value, v adapters.Value) []adapters.Value {
	out := slices.Clone(values)
	if i := slices.IndexFunc(out, func(o adapters.Value) bool { return o.Field == v.Field }); i >= 0 {
		out[i] = v
		return out
	}
	return append(out, v)
}

// namesField fails t unless err is a validation error on the API field
// path.
func namesField(t *testing.T, err error, path string) {
	t.Helper()
	wantErr(t, err, apos.ErrInvalid)
	var ve *apos.ValidationError
	if !errors.As(err, &ve) || !slices.ContainsFunc(ve.Fields, func(f apos.FieldError) bool { return f.Path == path }) {
		t.Errorf("error %v names no field %q", err, path)
	}
}
