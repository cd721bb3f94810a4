package proxy

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/aposproxy/aposproxy/adapters/backends"
	"github.com/aposproxy/aposproxy/config"
	"github.com/valyala/fasthttp"
)

// shopServer builds the real front end over the shop example on a fresh
// SQLite file.
func shopServer(b *testing.B) fasthttp.RequestHandler {
	b.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	b.Setenv("SHOP_DB_DRIVER", "sqlite")
	b.Setenv("SHOP_DB_DSN", "file:"+filepath.Join(b.TempDir(), "shop.db"))
	cfg, err := config.Load(filepath.Join(root, "config.toml"))
	if err != nil {
		b.Fatal(err)
	}
	set, err := backends.Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(set.Close)
	s, err := New(cfg, set.Adapters, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler()
}

// benchRoute measures the whole handler for one GET, server side, with
// its allocations per request.
func benchRoute(b *testing.B, uri string) {
	h := shopServer(b)
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
