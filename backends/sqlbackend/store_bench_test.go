package sqlbackend

import (
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// BenchmarkStoreOverhead measures what the workflow's store costs reads:
// the same catalog read by an adapter with its store (one more query per
// record read, one per page listed, for lastPublishedAt and the like) and
// by a read-only one, which has none.
func BenchmarkStoreOverhead(b *testing.B) {
	benchmark(b, func(b *testing.B, db *sqldb.DB, a *Adapter) {
		ro := catalogType()
		ro.ReadOnly = true
		plain := mustNew(b, db, ro)
		pub := enPub
		list := adapters.Query{Scope: pub, Page: 3, PerPage: 10, Sort: []adapters.Sort{{Field: "title"}}}
		for _, tc := range []struct {
			name string
			a    *Adapter
		}{{"store", a}, {"no-store", plain}} {
			b.Run("get/"+tc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := tc.a.Get(b.Context(), pub, "p0042"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("list10/"+tc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if p, err := tc.a.List(b.Context(), &list); err != nil || len(p.Records) != 10 {
						b.Fatal(p, err)
					}
				}
			})
		}
	})
}
