package sqlbackend

import (
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestCountCache: with count_cache, a list's total is counted once per
// filter and kept until it is count_cache old, on every engine; without
// it, every list counts.
func TestCountCache(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		seedCatalog(t, db, e.Name, adaptertest.Rows())
		exact := mustNew(t, db, catalogType())
		typ := catalogType()
		typ.CountCache = config.Duration{Duration: time.Minute}
		cached := mustNew(t, db, typ)
		now := time.Now()
		cached.counts.now = func() time.Time { return now }

		s := apos.Scope{Locale: "en", Mode: apos.Published}
		red := []adapters.Filter{{Field: "color", Op: adapters.OpIn, Values: []any{"red"}}}
		total := func(a *Adapter, filters []adapters.Filter, countOnly bool) int {
			t.Helper()
			// A page of one: the total needs the count.
			page, err := a.List(t.Context(), &adapters.Query{Scope: s, Page: 1, PerPage: 1, Filters: filters, CountOnly: countOnly})
			if err != nil {
				t.Fatal(err)
			}
			return page.Total
		}
		all, reds := total(exact, nil, false), total(exact, red, false)
		if got := total(cached, nil, false); got != all {
			t.Fatalf("cached total %d, exact %d", got, all)
		}
		if got := total(cached, red, true); got != reds {
			t.Fatalf("cached count=1 of red %d, exact %d", got, reds)
		}

		// A red product the adapter does not see written.
		if _, err := db.Exec(db.Rebind(`INSERT INTO catalog (sku, lang, state, name, price_cents, colour, in_stock, attrs, created, changed)
VALUES (?, 'EN', 'live', 'Late red', 100, 'red', ?, NULL, ?, ?)`), "late-red", db.BindBool(true), db.BindTime(now), db.BindTime(now)); err != nil {
			t.Fatal(err)
		}
		if got := total(exact, nil, false); got != all+1 {
			t.Fatalf("exact total after an insert: %d, want %d", got, all+1)
		}
		now = now.Add(59 * time.Second)
		if got, gotRed := total(cached, nil, false), total(cached, red, false); got != all || gotRed != reds {
			t.Fatalf("within count_cache: totals %d and %d, want the kept %d and %d", got, gotRed, all, reds)
		}
		now = now.Add(time.Second)
		if got, gotRed := total(cached, nil, true), total(cached, red, false); got != all+1 || gotRed != reds+1 {
			t.Fatalf("after count_cache: totals %d and %d, want %d and %d", got, gotRed, all+1, reds+1)
		}
	})
}
