package proxy

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// benchRoute measures the whole handler for one GET, server side, with
// its allocations per request, on the shop without its relationship
// fields: the document the bench suite's bare handler writes too.
func benchRoute(b *testing.B, uri string) {
	cfg := shopConfig(b)
	for _, t := range cfg.Types {
		t.Relationships = nil
	}
	h := shopHandler(b, cfg)
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

// BenchmarkHandlerGetOneRelated measures GET one of a product with its
// relationships (_category by key, _articles through the join table).
func BenchmarkHandlerGetOneRelated(b *testing.B) {
	h := shopHandler(b, shopConfig(b))
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/api/v1/product/P-1001:en:published")
	ctx.Request.Header.SetMethod("GET")
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		h(&ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("%d %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
	}
}

// BenchmarkPipeline measures what the pipeline itself costs, on routes
// that reach no backend: an extra route (the locales), and a type route
// refused by its _id (an unknown locale) after every stage has run.
func BenchmarkPipeline(b *testing.B) {
	b.Setenv("SHOP_EDITOR_APIKEY", "editor-key")
	h := shopHandler(b, shopConfig(b))
	for _, bc := range []struct {
		name, uri, key string
		status         int
	}{
		{"extra route", "/api/v1/@apostrophecms/i18n/locales", "", 200},
		{"extra route, API key", "/api/v1/@apostrophecms/i18n/locales", "editor-key", 200},
		{"type route", "/api/v1/product/P-1001:zz:published", "", 404},
		{"type route, aposMode", "/api/v1/product/P-1001:zz:published?aposMode=published", "", 404},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			ctx.Request.SetRequestURI(bc.uri)
			ctx.Request.Header.SetMethod("GET")
			if bc.key != "" {
				ctx.Request.Header.Set("Authorization", "ApiKey "+bc.key)
			}
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				h(&ctx)
				if ctx.Response.StatusCode() != bc.status {
					b.Fatalf("%d %s", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
		})
	}
}
