package proxy

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/valyala/fasthttp"
)

// BenchmarkPages measures ?all=1 and a GET of the deepest page over trees
// of 1,000 and 10,000 generated pages (ten children per page, under the
// shop's About us) on SQLite: the cost of ?all=1 must grow with the number
// of pages (one recursive query, one read of the records, one pass to
// render), so 10k costs about ten times 1k; a GET of one page reads its
// ancestors, not the tree, so it barely grows. See bench/results/pages.md.
func BenchmarkPages(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		cfg := shopConfig(b)
		h := shopHandler(b, cfg)
		deepest := seedPages(b, cfg.Databases["shop"].DSN, n)
		for _, bc := range []struct{ name, uri string }{
			{"all", "/api/v1/@apostrophecms/page?all=1"},
			{"flat", "/api/v1/@apostrophecms/page?all=1&flat=1"},
			{"deep", "/api/v1/@apostrophecms/page/" + deepest},
		} {
			b.Run(fmt.Sprintf("%s/%d", bc.name, n), func(b *testing.B) {
				var ctx fasthttp.RequestCtx
				ctx.Request.SetRequestURI(bc.uri)
				ctx.Request.Header.SetMethod("GET")
				b.ReportAllocs()
				for b.Loop() {
					ctx.Response.Reset()
					h(&ctx)
					if ctx.Response.StatusCode() != 200 {
						b.Fatalf("%d %s", ctx.Response.StatusCode(), ctx.Response.Body())
					}
				}
			})
		}
	}
}

// seedPages adds n published English pages under page 2, ten children per
// page, and returns the aposDocId of the last (deepest) one.
func seedPages(b *testing.B, dsn string, n int) string {
	b.Helper()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO pages (page_id, lang, status, parent_id, sort_order, slug, title, page_type, body)
		VALUES (?, 'en', 'live', ?, ?, ?, ?, 'default-page', '<p>Generated</p>')`)
	if err != nil {
		b.Fatal(err)
	}
	const first = 1000
	for i := range n {
		parent := 2
		if i > 0 {
			parent = first + (i-1)/10
		}
		if _, err := st.Exec(first+i, parent, i%10, fmt.Sprintf("/gen/%d", i), fmt.Sprintf("Page %d", i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return fmt.Sprint(first + n - 1)
}
