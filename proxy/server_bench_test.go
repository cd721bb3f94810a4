package proxy

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// benchRoute measures the whole handler for one GET, server side, with
// its allocations per request.
func benchRoute(b *testing.B, uri string) {
	h := shopHandler(b, shopConfig(b))
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI(uri)
	ctx.Request.Header.SetMethod("GET")
	h(&ctx)
	if ctx.Response.StatusCode() != 200 {
		b.Fatalf("%s: %d %s", uri, ctx.Response.StatusCode(), ctx.Response.Body())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ctx.Response.Reset()
		h(&ctx)
	}
}

func BenchmarkHandlerGetOne(b *testing.B) {
	benchRoute(b, "/api/v1/product/P-1001:en:published")
}

func BenchmarkHandlerList10(b *testing.B) {
	benchRoute(b, "/api/v1/product?perPage=10")
}
