package sqlbackend

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// TestWriteErrors checks that each engine's constraint errors become
// Apostrophe's, naming the field when the engine tells the column.
func TestWriteErrors(t *testing.T) {
	type want struct{ path, name string }
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		a := catalogOn(t, db, e)
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
				"sqlite": {"color", "invalid"}, "postgres": {"color", "invalid"}, "mysql": {"color", "invalid"}}},
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
				if len(ve.Fields) != 1 || ve.Fields[0].Path != w.path || ve.Fields[0].Name != w.name {
					t.Fatalf("fields %+v, want %+v", ve.Fields, w)
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

// TestConcurrentUpdates increments a price from many goroutines at once:
// each Update must see the value the previous one wrote (the row is locked,
// or the SQLite transaction is a writer from its start), so none is lost.
func TestConcurrentUpdates(t *testing.T) {
	const workers, each = 4, 5
	s := enPub
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		a := catalogOn(t, db, e)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					_, err := a.Update(t.Context(), s, "chair1", func(cur *adapters.Record) ([]adapters.Value, error) {
						price := gjson.GetBytes(cur.Fields, "price").Int()
						return []adapters.Value{{Field: "price", V: price + 1}}, nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		rec, err := a.Get(t.Context(), s, "chair1")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := gjson.GetBytes(rec.Fields, "price").Int(), int64(1200+workers*each); got != want {
			t.Errorf("price %d, want %d: updates were lost", got, want)
		}
	})
}

// TestUncachedStatements lists with a full statement cache: queries then
// run unprepared, with the same results.
func TestUncachedStatements(t *testing.T) {
	a := catalogOn(t, fresh(t, testkit.SQLite), testkit.SQLite)
	a.stmts.max = 0
	p, err := a.List(t.Context(), &adapters.Query{Scope: enDraft, PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != 2 || p.Total != 6 || p.Records[0].Modified != adapters.False || len(a.stmts.m) != 0 {
		t.Errorf("got %d records, total %d, %d statements cached", len(p.Records), p.Total, len(a.stmts.m))
	}
}
