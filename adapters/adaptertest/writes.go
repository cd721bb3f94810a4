package adaptertest

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
)

// newValues are the values of a new document, and newFields what reading it
// back gives.
var (
	newValues = []adapters.Value{
		{Field: "title", V: "Glass Vase"},
		{Field: "price", V: int64(999)},
		{Field: "color", V: nil},
		{Field: "inStock", V: true},
		{Field: "attributes", V: adapters.RawJSON(`{"fragile":true}`)},
		{Field: "createdAt", V: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
		{Field: "updatedAt", V: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
	}
	newFields = `{"title":"Glass Vase","price":999,"color":null,"inStock":true,"attributes":{"fragile":true},` +
		`"createdAt":"2025-01-02T03:04:05.000Z","updatedAt":"2025-01-02T03:04:05.000Z"}`
)

// errRefused is what the test's change and check functions refuse with.
var errRefused = errors.New("refused")

func testWrites(t *testing.T, newAdapter Factory) {
	t.Run("insert published creates the draft too", func(t *testing.T) {
		a := newAdapter(t)
		rec, err := a.Insert(t.Context(), enPub, &adapters.Insert{DocID: "vase8", Values: newValues})
		must(t, err)
		if rec.DocID != "vase8" || rec.Scope != enPub {
			t.Fatalf("inserted %s %+v", rec.DocID, rec.Scope)
		}
		SameJSON(t, rec.Fields, newFields)
		draft, err := a.Get(t.Context(), enDraft, "vase8")
		must(t, err)
		SameJSON(t, draft.Fields, newFields)
		if draft.Modified != adapters.False {
			t.Errorf("draft modified %v, want false", draft.Modified)
		}
		_, err = a.Get(t.Context(), frDraft, "vase8")
		wantErr(t, err, adapters.ErrNotFound)
	})
	t.Run("insert draft creates only the draft", func(t *testing.T) {
		a := newAdapter(t)
		rec, err := a.Insert(t.Context(), enDraft, &adapters.Insert{DocID: "vase8", Values: newValues})
		must(t, err)
		if rec.Scope != enDraft || rec.Modified != adapters.True {
			t.Fatalf("inserted %+v modified %v, want draft, modified", rec.Scope, rec.Modified)
		}
		_, err = a.Get(t.Context(), enPub, "vase8")
		wantErr(t, err, adapters.ErrNotFound)
	})
	t.Run("insert in a second locale", func(t *testing.T) {
		a := newAdapter(t)
		_, err := a.Insert(t.Context(), frPub, &adapters.Insert{DocID: "table2", Values: newValues})
		must(t, err)
		en, err := a.Get(t.Context(), enPub, "table2")
		must(t, err)
		if title(en) != "Oak Table" {
			t.Errorf("en title %q changed", title(en))
		}
	})
	t.Run("insert makes a random key", func(t *testing.T) {
		a := newAdapter(t)
		rec, err := a.Insert(t.Context(), enPub, &adapters.Insert{Values: newValues})
		must(t, err)
		if !regexp.MustCompile(`^[a-z][a-z0-9]{23}$`).MatchString(rec.DocID) {
			t.Fatalf("made id %q, want 24 lowercase letters and digits starting with a letter", rec.DocID)
		}
		_, err = a.Get(t.Context(), enDraft, rec.DocID)
		must(t, err)
	})
	t.Run("insert an existing key conflicts", func(t *testing.T) {
		a := newAdapter(t)
		_, err := a.Insert(t.Context(), enPub, &adapters.Insert{DocID: "chair1", Values: newValues})
		wantErr(t, err, adapters.ErrConflict)
		_, err = a.Insert(t.Context(), enPub, &adapters.Insert{DocID: "lamp3", Values: newValues})
		wantErr(t, err, adapters.ErrConflict)
		_, err = a.Get(t.Context(), enPub, "lamp3")
		wantErr(t, err, adapters.ErrNotFound) // the published row was rolled back
	})
	t.Run("insert bad values", func(t *testing.T) {
		a := newAdapter(t)
		for _, tc := range []struct {
			name  string
			value adapters.Value
			path  string
		}{
			{"no title", adapters.Value{Field: "title", V: nil}, "title"},
			{"negative price", adapters.Value{Field: "price", V: int64(-1)}, "price"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				vals := append([]adapters.Value{}, newValues...)
				for i := range vals {
					if vals[i].Field == tc.value.Field {
						vals[i] = tc.value
					}
				}
				_, err := a.Insert(t.Context(), enPub, &adapters.Insert{DocID: "vase8", Values: vals})
				wantErr(t, err, adapters.ErrInvalid)
				var ve *adapters.ValidationError
				if errors.As(err, &ve) && len(ve.Fields) == 1 && ve.Fields[0].Path != "" && ve.Fields[0].Path != tc.path {
					t.Errorf("error names %q, want %q", ve.Fields[0].Path, tc.path)
				}
				_, err = a.Get(t.Context(), enDraft, "vase8")
				wantErr(t, err, adapters.ErrNotFound)
			})
		}
	})
	t.Run("update the draft", func(t *testing.T) {
		a := newAdapter(t)
		var seen string
		rec, err := a.Update(t.Context(), enDraft, "table2", func(cur *adapters.Record) ([]adapters.Value, error) {
			seen = title(cur)
			if cur.Modified != adapters.True || cur.Scope != enDraft {
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
	t.Run("update published leaves the draft", func(t *testing.T) {
		a := newAdapter(t)
		rec, err := a.Update(t.Context(), enPub, "chair1", func(*adapters.Record) ([]adapters.Value, error) {
			return []adapters.Value{{Field: "price", V: int64(1300)}, {Field: "color", V: "blue"}}, nil
		})
		must(t, err)
		want := find("chair1", enPub)
		want.Price, want.Color = 1300, "blue"
		SameJSON(t, rec.Fields, want.fields())
		draft, err := a.Get(t.Context(), enDraft, "chair1")
		must(t, err)
		SameJSON(t, draft.Fields, find("chair1", enDraft).fields())
		if draft.Modified != adapters.True {
			t.Errorf("draft modified %v, want true", draft.Modified)
		}
	})
	t.Run("update every kind", func(t *testing.T) {
		a := newAdapter(t)
		rec, err := a.Update(t.Context(), enPub, "rug5", func(*adapters.Record) ([]adapters.Value, error) {
			return newValues, nil
		})
		must(t, err)
		SameJSON(t, rec.Fields, newFields)
	})
	t.Run("update with nothing to write", func(t *testing.T) {
		a := newAdapter(t)
		rec, err := a.Update(t.Context(), enPub, "chair1", func(*adapters.Record) ([]adapters.Value, error) {
			return nil, nil
		})
		must(t, err)
		SameJSON(t, rec.Fields, find("chair1", enPub).fields())
	})
	t.Run("update refused by change", func(t *testing.T) {
		a := newAdapter(t)
		_, err := a.Update(t.Context(), enPub, "chair1", func(*adapters.Record) ([]adapters.Value, error) {
			return []adapters.Value{{Field: "title", V: "Never"}}, errRefused
		})
		wantErr(t, err, errRefused)
		rec, err := a.Get(t.Context(), enPub, "chair1")
		must(t, err)
		SameJSON(t, rec.Fields, find("chair1", enPub).fields())
	})
	t.Run("update bad value", func(t *testing.T) {
		a := newAdapter(t)
		_, err := a.Update(t.Context(), enPub, "chair1", func(*adapters.Record) ([]adapters.Value, error) {
			return []adapters.Value{{Field: "title", V: "Changed"}, {Field: "price", V: int64(-5)}}, nil
		})
		wantErr(t, err, adapters.ErrInvalid)
		rec, err := a.Get(t.Context(), enPub, "chair1")
		must(t, err)
		SameJSON(t, rec.Fields, find("chair1", enPub).fields())
	})
	t.Run("update missing", func(t *testing.T) {
		a := newAdapter(t)
		for _, tc := range []struct {
			scope adapters.Scope
			docID string
		}{{enPub, "lamp3"}, {enPub, "nope"}, {enPub, "b-!!"}, {frPub, "table2"}} {
			_, err := a.Update(t.Context(), tc.scope, tc.docID, func(*adapters.Record) ([]adapters.Value, error) {
				t.Errorf("change called for %s", tc.docID)
				return nil, nil
			})
			wantErr(t, err, adapters.ErrNotFound)
		}
	})
	t.Run("delete the draft deletes the published record", func(t *testing.T) {
		a := newAdapter(t)
		var seen string
		must(t, a.Delete(t.Context(), enDraft, "chair1", func(cur *adapters.Record) error {
			seen = cur.DocID
			return nil
		}))
		if seen != "chair1" {
			t.Errorf("check saw %q", seen)
		}
		for _, s := range []adapters.Scope{enDraft, enPub} {
			_, err := a.Get(t.Context(), s, "chair1")
			wantErr(t, err, adapters.ErrNotFound)
		}
		_, err := a.Get(t.Context(), frDraft, "chair1")
		must(t, err)
	})
	t.Run("delete published keeps the draft", func(t *testing.T) {
		a := newAdapter(t)
		must(t, a.Delete(t.Context(), enPub, "table2", func(*adapters.Record) error { return nil }))
		_, err := a.Get(t.Context(), enPub, "table2")
		wantErr(t, err, adapters.ErrNotFound)
		draft, err := a.Get(t.Context(), enDraft, "table2")
		must(t, err)
		if draft.Modified != adapters.True {
			t.Errorf("draft modified %v, want true", draft.Modified)
		}
	})
	t.Run("delete refused by check", func(t *testing.T) {
		a := newAdapter(t)
		err := a.Delete(t.Context(), enDraft, "chair1", func(*adapters.Record) error { return errRefused })
		wantErr(t, err, errRefused)
		_, err = a.Get(t.Context(), enPub, "chair1")
		must(t, err)
	})
	t.Run("delete missing", func(t *testing.T) {
		a := newAdapter(t)
		for _, docID := range []string{"lamp3", "nope", "b-!!"} {
			err := a.Delete(t.Context(), enPub, docID, func(*adapters.Record) error {
				t.Errorf("check called for %s", docID)
				return nil
			})
			wantErr(t, err, adapters.ErrNotFound)
		}
	})
}
