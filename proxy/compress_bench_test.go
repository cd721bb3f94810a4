package proxy

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// BenchmarkCompressList measures what compression costs a list answer,
// server side: the baseline with server.compress off, then on for a
// client that accepts no coding, gzip and brotli. Compare them with
// benchstat -col /coding over -count runs (docs/api-rules.md#224).
func BenchmarkCompressList(b *testing.B) {
	const uri = "/api/v1/product?perPage=50"
	for _, bc := range []struct {
		name, accept, coding string
		on                   bool
	}{
		{"coding=off", "gzip, br", "", false},
		{"coding=identity", "", "", true},
		{"coding=gzip", "gzip", "gzip", true},
		{"coding=br", "gzip, br", "br", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := shopConfig(b)
			cfg.Server.Compress, cfg.Server.CompressMinBytes = bc.on, 1024
			if !bc.on {
				cfg.Server.CompressMinBytes = 0
			}
			h := shopHandler(b, cfg)
			var ctx fasthttp.RequestCtx
			ctx.Request.SetRequestURI(uri)
			ctx.Request.Header.SetMethod("GET")
			if bc.accept != "" {
				ctx.Request.Header.Set("Accept-Encoding", bc.accept)
			}
			h(&ctx)
			if ce := string(ctx.Response.Header.ContentEncoding()); ctx.Response.StatusCode() != 200 || ce != bc.coding {
				b.Fatalf("%d, Content-Encoding %q, want %q", ctx.Response.StatusCode(), ce, bc.coding)
			}
			size := len(ctx.Response.Body())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				ctx.Response.Reset()
				h(&ctx)
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}
