package upstream

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// desk are the values of a new item, nested service paths included.
var desk = []adapters.Value{
	{Field: "title", V: "Cedar desk"},
	{Field: "quantity", V: int64(4)},
	{Field: "warehouse", V: "W9"},
	{Field: "aisle", V: "B2"},
}

func TestInsert(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		scope  apos.Scope
		docID  string
		states map[string]bool // service state -> whether the variant exists after
	}{
		{"published creates both", enLive, "NEW-1", map[string]bool{"live": true, "draft": true}},
		{"draft creates the draft", enDraft, "NEW-2", map[string]bool{"live": false, "draft": true}},
		{"the service makes the key", frLive, "", map[string]bool{"live": true, "draft": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, url := inventory(t)
			rec, err := a.Insert(ctx, tt.scope, &adapters.Insert{DocID: tt.docID, Values: desk})
			if err != nil {
				t.Fatal(err)
			}
			if tt.docID != "" && rec.DocID != tt.docID || rec.DocID == "" || rec.Scope != tt.scope {
				t.Errorf("record %q %v", rec.DocID, rec.Scope)
			}
			want := `"title":"Cedar desk","quantity":4,"warehouse":"W9","aisle":"B2"`
			if got := string(rec.Fields); len(got) < len(want)+1 || got[1:len(want)+1] != want {
				t.Errorf("fields %s, want %s and updatedAt", got, want)
			}
			if tt.scope.Mode == apos.Draft && rec.Modified != adapters.True {
				t.Errorf("a new draft's modified = %v, want true", rec.Modified)
			}
			for state, exists := range tt.states {
				status, body := raw(t, url, rec.DocID, tt.scope.Locale, state)
				if (status == 200) != exists {
					t.Fatalf("%s variant: status %d, want it to exist: %v", state, status, exists)
				}
				if exists && gjson.GetBytes(body, "data.item.warehouse.code").Str != "W9" {
					t.Errorf("%s variant stored as %s, want warehouse.code W9", state, body)
				}
			}
		})
	}
}

func TestInsertFails(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		scope  apos.Scope
		in     adapters.Insert
		err    error
		fields []apos.FieldError
	}{
		{"duplicate", enLive, adapters.Insert{DocID: "INV-0001", Values: desk}, apos.ErrConflict, nil},
		{"missing title", enDraft, adapters.Insert{Values: desk[1:]}, apos.ErrInvalid,
			[]apos.FieldError{{Path: "title", Name: "required"}}},
		{"two bad fields, API names in schema order", enDraft, adapters.Insert{Values: []adapters.Value{
			{Field: "quantity", V: int64(-1)}, {Field: "title", V: ""}}}, apos.ErrInvalid,
			[]apos.FieldError{{Path: "title", Name: "required"}, {Path: "quantity", Name: "min"}}},
		{"bad id", enDraft, adapters.Insert{DocID: "b64-!", Values: desk}, apos.ErrInvalid, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := inventory(t)
			_, err := a.Insert(ctx, tt.scope, &tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			var v *apos.ValidationError
			if errors.As(err, &v) != (tt.fields != nil) || v != nil && !reflect.DeepEqual(v.Fields, tt.fields) {
				t.Errorf("err = %#v, want field errors %v", err, tt.fields)
			}
		})
	}
}

// TestInsertUndo: when the draft cannot be created after the published
// variant, the published variant is removed again.
func TestInsertUndo(t *testing.T) {
	a, url := inventory(t)
	ctx := context.Background()
	if _, err := a.Insert(ctx, enDraft, &adapters.Insert{DocID: "NEW-1", Values: desk}); err != nil {
		t.Fatal(err)
	}
	_, err := a.Insert(ctx, enLive, &adapters.Insert{DocID: "NEW-1", Values: desk})
	if !errors.Is(err, apos.ErrConflict) {
		t.Fatalf("err = %v, want conflict", err)
	}
	if status, _ := raw(t, url, "NEW-1", "en", "live"); status != 404 {
		t.Errorf("the published variant is left behind (status %d)", status)
	}
}

func TestUpdate(t *testing.T) {
	ctx := context.Background()
	errNo := errors.New("no")
	tests := []struct {
		name    string
		scope   apos.Scope
		id      string
		values  []adapters.Value
		refuse  error
		err     error
		want    string // the fields after
		rev     int64  // the service's rev after
		changes int    // calls of change
	}{
		{"nested fields", enDraft, "INV-0002", []adapters.Value{{Field: "aisle", V: "Z9"}, {Field: "quantity", V: int64(70)}}, nil, nil,
			`{"title":"Walnut desk","quantity":70,"warehouse":"W2","aisle":"Z9"`, 3, 1},
		// The service keeps an empty code for a null one.
		{"null", enLive, "INV-0002", []adapters.Value{{Field: "warehouse", V: nil}}, nil, nil,
			`{"title":"Walnut desk","quantity":7,"warehouse":"","aisle":"A2"`, 3, 1},
		{"nothing to write", enLive, "INV-0002", []adapters.Value{}, nil, nil,
			`{"title":"Walnut desk","quantity":7,"warehouse":"W2","aisle":"A2"`, 2, 1},
		{"change refuses", enLive, "INV-0002", nil, errNo, errNo, "", 2, 1},
		{"invalid", enLive, "INV-0002", []adapters.Value{{Field: "title", V: ""}}, nil, apos.ErrInvalid, "", 2, 1},
		{"not found", enLive, "INV-0005", nil, nil, apos.ErrNotFound, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, url := inventory(t)
			changes := 0
			rec, err := a.Update(ctx, tt.scope, tt.id, func(cur *adapters.Record) ([]adapters.Value, error) {
				changes++
				if cur.DocID != tt.id || !gjson.ValidBytes(cur.Fields) {
					t.Errorf("change got %s %s", cur.DocID, cur.Fields)
				}
				return tt.values, tt.refuse
			})
			if changes != tt.changes {
				t.Errorf("change called %d times, want %d", changes, tt.changes)
			}
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if got := string(rec.Fields); got[:len(tt.want)] != tt.want {
				t.Errorf("fields %s, want %s...", got, tt.want)
			}
			if tt.rev == 0 {
				return
			}
			state := map[apos.Mode]string{apos.Draft: "draft", apos.Published: "live"}[tt.scope.Mode]
			_, body := raw(t, url, tt.id, tt.scope.Locale, state)
			if rev := gjson.GetBytes(body, "data.item.rev").Int(); rev != tt.rev {
				t.Errorf("rev %d, want %d", rev, tt.rev)
			}
			if lang := gjson.GetBytes(body, "data.item.language").Str; lang != tt.scope.Locale {
				t.Errorf("unmapped field language = %q", lang)
			}
		})
	}
}

// TestUpdateStale: someone else writes between the read and the replace.
// Once, the update reads and merges again; twice, it is a conflict.
func TestUpdateStale(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		races   int // how many of the update's rounds race with another write
		err     error
		changes int
	}{
		{"one retry succeeds", 1, nil, 2},
		{"two stale revisions conflict", 2, apos.ErrConflict, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := inventory(t)
			changes := 0
			rec, err := a.Update(ctx, enLive, "INV-0002", func(cur *adapters.Record) ([]adapters.Value, error) {
				changes++
				if changes <= tt.races {
					_, err := a.Update(ctx, enLive, "INV-0002", func(*adapters.Record) ([]adapters.Value, error) {
						return []adapters.Value{{Field: "aisle", V: "RACE"}}, nil
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				return []adapters.Value{{Field: "quantity", V: int64(99)}}, nil
			})
			if changes != tt.changes {
				t.Errorf("change called %d times, want %d", changes, tt.changes)
			}
			if tt.err != nil {
				if e, ok := apos.AsError(err); !errors.Is(err, tt.err) || !ok || e.Message == "" {
					t.Fatalf("err = %v, want %v with a message", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := gjson.GetBytes(rec.Fields, "quantity").Int(); got != 99 || gjson.GetBytes(rec.Fields, "aisle").Str != "RACE" {
				t.Errorf("fields %s: the retry must merge into the other write", rec.Fields)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	errNo := errors.New("no")
	tests := []struct {
		name   string
		scope  apos.Scope
		id     string
		check  error
		err    error
		remain map[string]bool // service state -> whether the variant exists after
	}{
		{"draft takes the published variant along", enDraft, "INV-0001", nil, nil, map[string]bool{"draft": false, "live": false}},
		{"draft without a published variant", enDraft, "INV-0005", nil, nil, map[string]bool{"draft": false, "live": false}},
		{"published keeps the draft", enLive, "INV-0001", nil, nil, map[string]bool{"draft": true, "live": false}},
		{"check refuses", enDraft, "INV-0001", errNo, errNo, map[string]bool{"draft": true, "live": true}},
		{"not found", enLive, "INV-0005", nil, apos.ErrNotFound, map[string]bool{"draft": true, "live": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, url := inventory(t)
			err := a.Delete(ctx, tt.scope, tt.id, func(cur *adapters.Record) error {
				if cur.DocID != tt.id {
					t.Errorf("check got %s", cur.DocID)
				}
				return tt.check
			})
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			for state, exists := range tt.remain {
				if status, _ := raw(t, url, tt.id, "en", state); (status == 200) != exists {
					t.Errorf("%s variant: status %d, want it to exist: %v", state, status, exists)
				}
			}
		})
	}
}

func TestPublish(t *testing.T) {
	a, url := inventory(t)
	ctx := context.Background()
	rec, err := a.Publish(ctx, "en", "INV-0005", adapters.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Scope != enDraft || rec.Modified != adapters.False {
		t.Errorf("publish returned %v modified %v, want the unmodified draft", rec.Scope, rec.Modified)
	}
	if status, body := raw(t, url, "INV-0005", "en", "live"); status != 200 || gjson.GetBytes(body, "data.item.label").Str != "Maple desk" {
		t.Errorf("published variant: %d %s", status, body)
	}
	if _, err := a.Publish(ctx, "fr", "INV-0002", adapters.PublishOptions{}); !errors.Is(err, apos.ErrNotFound) {
		t.Errorf("publishing a missing draft: err = %v, want notfound", err)
	}
}
