package sqlbackend

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// benchRows are 500 published products in en, with their drafts.
func benchRows() []adaptertest.Row {
	var rows []adaptertest.Row
	for i := range 500 {
		r := adaptertest.Row{
			Key: fmt.Sprintf("p%04d", i), Locale: "en", Title: fmt.Sprintf("Product %d", (i*7919)%500),
			Price: int64(100 + i), Color: "red", InStock: i%2 == 0, Attributes: `{"weight_g": 2840, "tags": ["sofa", "green"]}`,
			CreatedAt: time.Date(2024, 1, 5, 9, 14, 0, 0, time.UTC), UpdatedAt: time.Date(2025, 8, 5, 17, 42, 0, 0, time.UTC),
		}
		for _, m := range []apos.Mode{apos.Published, apos.Draft} {
			r.Mode = m
			rows = append(rows, r)
		}
	}
	return rows
}

// benchmark runs fn on each engine against the catalog of benchRows.
func benchmark(b *testing.B, fn func(b *testing.B, db *sqldb.DB, a *Adapter)) {
	for _, e := range testkit.Engines {
		b.Run(e.Name, func(b *testing.B) {
			db := fresh(b, e)
			seedCatalog(b, db, e.Name, benchRows())
			fn(b, db, mustNew(b, db, catalogType()))
		})
	}
}

// baselineRow is what a hand-written handler would scan a catalog row into.
type baselineRow struct {
	sku, name      string
	price          int64
	colour, attrs  sql.NullString
	inStock        any
	created, chged any
}

func (r *baselineRow) dest() []any {
	return []any{&r.sku, &r.name, &r.price, &r.colour, &r.inStock, &r.attrs, &r.created, &r.chged}
}

// BenchmarkGet reads one published product. The baseline runs the same
// prepared SELECT and scans the row into plain Go values, rendering
// nothing: the adapter's cost over it is mapping and rendering JSON.
func BenchmarkGet(b *testing.B) {
	benchmark(b, func(b *testing.B, db *sqldb.DB, a *Adapter) {
		s := enPub
		b.Run("adapter", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Get(b.Context(), s, "p0042"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("baseline", func(b *testing.B) {
			stmt, err := db.Prepare(db.Rebind(`SELECT sku, name, price_cents, colour, in_stock, attrs, created, changed
FROM catalog WHERE sku = ? AND lang = ? AND state = ?`))
			if err != nil {
				b.Fatal(err)
			}
			defer stmt.Close()
			var r baselineRow
			b.ReportAllocs()
			for b.Loop() {
				if err := stmt.QueryRowContext(b.Context(), "p0042", "EN", "live").Scan(r.dest()...); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkList10 reads the third page of 10 published products sorted by
// title, with the total. The baseline runs the same two prepared queries
// and scans the rows into plain Go values.
func BenchmarkList10(b *testing.B) {
	benchmark(b, func(b *testing.B, db *sqldb.DB, a *Adapter) {
		q := adapters.Query{Scope: enPub,
			Page: 3, PerPage: 10, Sort: []adapters.Sort{{Field: "title"}}}
		b.Run("adapter", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := a.List(b.Context(), &q)
				if err != nil || len(p.Records) != 10 || p.Total != 500 {
					b.Fatal(p, err)
				}
			}
		})
		b.Run("baseline", func(b *testing.B) {
			list, err := db.Prepare(db.Rebind(`SELECT sku, name, price_cents, colour, in_stock, attrs, created, changed
FROM catalog WHERE lang = ? AND state = ? ORDER BY LOWER(name) ASC` + db.Nulls(false) + `, sku ASC LIMIT ? OFFSET ?`))
			if err != nil {
				b.Fatal(err)
			}
			defer list.Close()
			count, err := db.Prepare(db.Rebind(`SELECT COUNT(*) FROM catalog WHERE lang = ? AND state = ?`))
			if err != nil {
				b.Fatal(err)
			}
			defer count.Close()
			b.ReportAllocs()
			for b.Loop() {
				rows, err := list.QueryContext(b.Context(), "EN", "live", 10, 20)
				if err != nil {
					b.Fatal(err)
				}
				var page []baselineRow
				for rows.Next() {
					var r baselineRow
					if err := rows.Scan(r.dest()...); err != nil {
						b.Fatal(err)
					}
					page = append(page, r)
				}
				rows.Close()
				var total int
				if err := count.QueryRowContext(b.Context(), "EN", "live").Scan(&total); err != nil || len(page) != 10 || total != 500 {
					b.Fatal(len(page), total, err)
				}
			}
		})
	})
}
