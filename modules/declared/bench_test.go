package declared

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// BenchmarkRoutes compares a declared SQL route with the type route that
// reads the same row, in process (no network), over SQLite: the cost of a
// declared route is its transaction and its untyped row rendering.
func BenchmarkRoutes(b *testing.B) {
	srv, err := build(b, testConfig)
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	for _, bc := range []struct{ name, uri string }{
		{"type getOne", "/api/v1/note/2"},
		{"declared getOne", "/api/v1/notes/2"},
		{"declared getAll with total", "/api/v1/notes?q=%25&perPage=2"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			b.ReportAllocs()
			for b.Loop() {
				ctx.Request.Reset()
				ctx.Response.Reset()
				ctx.Request.SetRequestURI(bc.uri)
				h(&ctx)
				if ctx.Response.StatusCode() != 200 {
					b.Fatalf("%d %s", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
		})
	}
}
