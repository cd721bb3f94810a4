package sqlbackend

import (
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// BenchmarkRender turns one scanned catalog row into its JSON fields, the
// adapter's own work on every record it reads (BenchmarkGet adds the
// query and the scan).
func BenchmarkRender(b *testing.B) {
	benchmark(b, func(b *testing.B, db *sqldb.DB, a *Adapter) {
		r := a.getRow()
		defer a.rows.Put(r)
		s := enPub
		if found, err := a.readRow(b.Context(), nil, a.get, s, "p0042", r); !found || err != nil {
			b.Fatal(found, err)
		}
		var buf []byte
		b.ReportAllocs()
		for b.Loop() {
			buf = appendObject(buf[:0], a.fields, r.cells, a.all)
		}
	})
}
