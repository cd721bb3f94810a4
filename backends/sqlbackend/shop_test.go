package sqlbackend

import (
	"errors"
	"maps"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// shopTypes are the root configuration's SQL types: the shop example's
// tables.
func shopTypes(t testing.TB) map[string]*config.Type {
	t.Helper()
	cfg, err := config.Load(testkit.ShopSQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]*config.Type{}
	for name, typ := range cfg.Types {
		if typ.Database != "" {
			types[name] = typ
		}
	}
	return types
}

// openShop loads the shop example's schema and seed into a fresh database
// of engine e, and builds its types.
func openShop(t *testing.T, e testkit.Engine) (*sqldb.DB, map[string]*Adapter) {
	t.Helper()
	db := fresh(t, e)
	files := []string{"examples/shop/schema." + e.Name + ".sql", "examples/shop/seed.sql"}
	if e.Name == "postgres" {
		files = append(files, "examples/shop/after-seed.postgres.sql")
	}
	runFiles(t, db, files...)
	types := map[string]*Adapter{}
	for name, typ := range shopTypes(t) {
		types[name] = mustNew(t, db, typ)
	}
	return db, types
}

// TestShop reads the shop example on every engine: the same rows must
// render the same documents whatever stores them.
func TestShop(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		_, types := openShop(t, e)
		for _, tc := range []struct {
			typ      string
			scope    apos.Scope
			docID    string
			fields   string
			modified adapters.Tristate
		}{
			{"product", enPub, "P-1001", `{"title":"Nordic Sofa","description":"A nordic sofa for everyday use.",` +
				`"price":5259,"color":"green","inStock":true,"attributes":{"weight_g":2840,"tags":["sofa","green"]},` +
				`"categoryId":1,"createdAt":"2024-01-05T09:14:00.000Z","updatedAt":"2025-08-05T17:42:00.000Z"}`, adapters.Unknown},
			{"product", enDraft, "P-1002", `{"title":"Nordic Shelf","description":"A nordic shelf for everyday use.",` +
				`"price":4206,"color":"red","inStock":false,"attributes":{"weight_g":6558,"tags":["shelf","red"]},` +
				`"categoryId":1,"createdAt":"2024-08-16T09:07:00.000Z","updatedAt":"2025-05-16T17:30:00.000Z"}`, adapters.False},
			{"product", frPub, "P-1009",
				`{"title":"Étagère Lumineux","description":"Un(e) étagère lumineux pour tous les jours.",` +
					`"price":5775,"color":"red","inStock":true,"attributes":{"weight_g":14049,"tags":["shelf","red"]},` +
					`"categoryId":3,"createdAt":"2024-03-09T09:24:00.000Z","updatedAt":"2025-04-09T17:24:00.000Z"}`, adapters.Unknown},
			{"category", apos.Scope{Mode: apos.Published}, "3", `{"title":"Chairs","parentId":1}`, adapters.Unknown},
			{"category", apos.Scope{Mode: apos.Draft}, "1", `{"title":"Furniture","parentId":null}`, adapters.False},
			{"article", enDraft, "9", `{"title":"Caring for oak, part 9","body":"<p>Article 9 body text.</p>",` +
				`"author":"Tom Olsen","publishedOn":"2025-01-15"}`, adapters.False},
		} {
			t.Run(tc.typ+"/"+tc.docID, func(t *testing.T) {
				rec, err := types[tc.typ].Get(t.Context(), tc.scope, tc.docID)
				if err != nil {
					t.Fatal(err)
				}
				adaptertest.SameJSON(t, rec.Fields, tc.fields)
				if rec.Modified != tc.modified {
					t.Errorf("modified %v, want %v", rec.Modified, tc.modified)
				}
			})
		}
		t.Run("product drafts", func(t *testing.T) {
			p, err := types["product"].List(t.Context(), &adapters.Query{Scope: enDraft, PerPage: 3, Page: 2})
			if err != nil {
				t.Fatal(err)
			}
			// P-1004 was revised; P-1005 was not; P-1006 was revised.
			got := map[string]adapters.Tristate{}
			for _, r := range p.Records {
				got[r.DocID] = r.Modified
			}
			want := map[string]adapters.Tristate{"P-1004": adapters.True, "P-1005": adapters.False, "P-1006": adapters.True}
			if !maps.Equal(got, want) || p.Total != 40 {
				t.Errorf("got %v total %d, want %v total 40", got, p.Total, want)
			}
		})
		t.Run("article in another locale", func(t *testing.T) {
			_, err := types["article"].Get(t.Context(), frPub, "9")
			if err != apos.ErrNotFound {
				t.Errorf("error %v, want notfound", err)
			}
		})
		t.Run("database keys", func(t *testing.T) {
			cat := types["category"]
			s := apos.Scope{Mode: apos.Published}
			title := []adapters.Value{{Field: "title", V: "Rugs"}}
			rec, err := cat.Insert(t.Context(), s, &adapters.Insert{Values: title})
			if err != nil {
				t.Fatal(err)
			}
			if rec.DocID != "7" {
				t.Errorf("made key %q, want 7", rec.DocID)
			}
			if rec, err = cat.Insert(t.Context(), s, &adapters.Insert{DocID: "42", Values: title}); err != nil || rec.DocID != "42" {
				t.Errorf("insert 42: %v %v", rec, err)
			}
			for _, id := range []string{"abc", "042"} {
				if _, err := cat.Insert(t.Context(), s, &adapters.Insert{DocID: id, Values: title}); !errors.Is(err, apos.ErrInvalid) {
					t.Errorf("insert %q: error %v, want invalid", id, err)
				}
			}
		})
		t.Run("delete a referenced row", func(t *testing.T) {
			err := types["category"].Delete(t.Context(), apos.Scope{Mode: apos.Published}, "1",
				func(*adapters.Record) error { return nil })
			if !errors.Is(err, apos.ErrConflict) {
				t.Errorf("error %v, want conflict", err)
			}
		})
	})
}
