package sqlbackend

import (
	"sync"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// TestConcurrentUpdates increments a price from many goroutines at once:
// each Update must see the value the previous one wrote (the row is locked,
// or the SQLite transaction is a writer from its start), so none is lost.
func TestConcurrentUpdates(t *testing.T) {
	const workers, each = 4, 5
	s := enPub
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		seedCatalog(t, db, e.Name, adaptertest.Rows())
		a := mustNew(t, db, catalogType())
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
	db := fresh(t, testkit.SQLite)
	seedCatalog(t, db, "sqlite", adaptertest.Rows())
	a := mustNew(t, db, catalogType())
	a.stmts.max = 0
	p, err := a.List(t.Context(), &adapters.Query{Scope: enDraft, PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != 2 || p.Total != 6 || p.Records[0].Modified != adapters.False || len(a.stmts.m) != 0 {
		t.Errorf("got %d records, total %d, %d statements cached", len(p.Records), p.Total, len(a.stmts.m))
	}
}
