package sqlbackend

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// TestWriteErrors checks that each engine's constraint errors become
// Apostrophe's, naming the field when the engine tells the column.
func TestWriteErrors(t *testing.T) {
	type want struct{ path, name string }
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			db := open(t, e.fresh(t))
			seedCatalog(t, db, e.name, adaptertest.Rows())
			a := mustNew(t, db, catalogType())
			s := apos.Scope{Locale: "en", Mode: apos.Published}
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
					w, refused := tc.want[e.name]
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
				if !ok || !errors.Is(err, apos.ErrConflict) || ae.Message != msgConflict || ae.Err == nil {
					t.Fatalf("error %#v, want a conflict keeping its cause", err)
				}
			})
			t.Run("deadline", func(t *testing.T) {
				slow := map[string]string{
					"sqlite":   "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c",
					"postgres": "SELECT pg_sleep(5)",
					"mysql":    "SELECT SLEEP(5)",
				}[e.name]
				ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
				defer cancel()
				start := time.Now()
				var n any
				err := db.x.QueryRowContext(ctx, slow).Scan(&n)
				if err = fail(ctx, db.dialect, err, nil); !errors.Is(err, apos.ErrTimeout) {
					t.Fatalf("error %v, want timeout", err)
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("took %v", d)
				}
			})
		})
	}
}

// TestUnreachable checks that a server that is not there is unavailable
// (503), at once: the drivers are opened on a port nobody listens on.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, cfg := range []config.Database{
		{Driver: "postgres", DSN: "postgres://postgres@" + addr + "/test?sslmode=disable"},
		{Driver: "mysql", DSN: "root@tcp(" + addr + ")/test"},
		{Driver: "sqlite", DSN: "/proc/no/such/dir/test.db"},
	} {
		t.Run(cfg.Driver, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			start := time.Now()
			db, err := Open(ctx, "test", cfg)
			if err == nil {
				db.Close()
			}
			if !errors.Is(err, apos.ErrUnavailable) {
				t.Fatalf("error %v, want unavailable", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
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
