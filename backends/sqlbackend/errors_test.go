package sqlbackend

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestWriteErrors checks that each engine's constraint errors become
// Apostrophe's, naming the field when the engine tells the column.
func TestWriteErrors(t *testing.T) {
	type want struct{ path, name string }
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		seedCatalog(t, db, e.Name, adaptertest.Rows())
		a := mustNew(t, db, catalogType())
		s := enPub
		for i, tc := range []struct {
			name  string
			value adapters.Value
			want  map[string]want // by engine; absent: accepted
		}{
			{"null in NOT NULL", adapters.Value{Field: "title", V: nil}, map[string]want{
				"sqlite": {"title", "required"}, "postgres": {"title", "required"}, "mysql": {"title", "required"}}},
			{"CHECK", adapters.Value{Field: "price", V: int64(-1)}, map[string]want{
				"sqlite": {"price", "invalid"}, "postgres": {"price", "invalid"}, "mysql": {"price", "invalid"}}},
			{"too long", adapters.Value{Field: "color", V: strings.Repeat("x", 17)}, map[string]want{
				"postgres": {"", "invalid"}, "mysql": {"color", "invalid"}}},
			{"not a number", adapters.Value{Field: "price", V: "abc"}, map[string]want{
				"postgres": {"", "invalid"}, "mysql": {"price", "invalid"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := a.Insert(t.Context(), s, &adapters.Insert{DocID: fmt.Sprint("new", i), Values: with(tc.value)})
				w, refused := tc.want[e.Name]
				if !refused {
					if err != nil {
						t.Fatalf("error %v, want none", err)
					}
					return
				}
				var ve *apos.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("error %#v, want a validation error", err)
				}
				if got := []apos.FieldError{{Path: w.path, Name: w.name}}; !reflect.DeepEqual(ve.Fields, got) {
					t.Fatalf("fields %+v, want %+v", ve.Fields, got)
				}
			})
		}
		t.Run("unique", func(t *testing.T) {
			_, err := a.Insert(t.Context(), s, &adapters.Insert{DocID: "chair1", Values: with(adapters.Value{Field: "title", V: "T"})})
			ae, ok := apos.AsError(err)
			if !ok || !errors.Is(err, apos.ErrConflict) || ae.Message != sqldb.MsgConflict || ae.Err == nil {
				t.Fatalf("error %#v, want a conflict keeping its cause", err)
			}
		})
	})
}

// with returns the values of a valid new catalog document, with v in place
// of the value of its field or added.
func with(v adapters.Value) []adapters.Value {
	vals := []adapters.Value{
		{Field: "title", V: "T"}, {Field: "price", V: int64(1)}, {Field: "inStock", V: true},
		{Field: "createdAt", V: time.Now()}, {Field: "updatedAt", V: time.Now()},
	}
	for i := range vals {
		if vals[i].Field == v.Field {
			vals[i] = v
			return vals
		}
	}
	return append(vals, v)
}
