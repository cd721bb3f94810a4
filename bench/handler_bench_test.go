package main

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkHandlers runs the suite's SQL scenarios in process, without
// the network: aposproxy's handler and the bare baseline's, over the same
// database, one after the other in the same run: SQLite, and PostgreSQL
// and MySQL when APOSPROXY_TEST_POSTGRES_DSN and APOSPROXY_TEST_MYSQL_DSN
// name a server. `benchstat` of -count=6 gives the ratio the network
// suite measures, without the kernel's share, and -cpuprofile shows where
// the difference goes.
func BenchmarkHandlers(b *testing.B) {
	root, err := repoRoot()
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range []struct{ engine, dsn string }{
		{"sqlite", ""},
		{"postgres", os.Getenv("APOSPROXY_TEST_POSTGRES_DSN")},
		{"mysql", os.Getenv("APOSPROXY_TEST_MYSQL_DSN")},
	} {
		if e.engine != "sqlite" && e.dsn == "" {
			continue
		}
		b.Run(e.engine, func(b *testing.B) {
			sh, err := startShop(context.Background(), root, b.TempDir(), e.engine, e.dsn)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(sh.close)
			benchShop(b, sh)
		})
	}
}

// benchShop runs the scenarios on sh, the baseline first, once the proxy
// has answered each scenario's request: its first reads give the shop's
// records the slugs the baseline reads too (as the network suite's
// warm-up, aposproxy's first, does), so that the baseline does not read
// an empty slug table.
func benchShop(b *testing.B, sh *shop) {
	scenarios := []struct{ name, uri string }{
		{"get-one", "/api/v1/product/P-1001:en:published"},
		{"list-10", "/api/v1/product?perPage=10"},
	}
	for _, sc := range scenarios {
		var ctx fasthttp.RequestCtx
		request(&ctx, sc.uri)
		serveOK(b, sh.proxy.srv.Handler, &ctx)
	}
	for _, sc := range scenarios {
		for _, sys := range []struct {
			name string
			srv  *server
		}{{"bare", sh.bare}, {"proxy", sh.proxy}} {
			h := sys.srv.srv.Handler
			b.Run(sc.name+"/"+sys.name, func(b *testing.B) {
				var ctx fasthttp.RequestCtx
				request(&ctx, sc.uri)
				b.ReportAllocs()
				start := processCPU()
				for b.Loop() {
					serveOK(b, h, &ctx)
				}
				reportCPU(b, start)
			})
			// 16 requests at a time, as the network suite's connections:
			// what contends shows here and not above.
			b.Run(sc.name+"/parallel/"+sys.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetParallelism(8)
				start := processCPU()
				b.RunParallel(func(pb *testing.PB) {
					var ctx fasthttp.RequestCtx
					request(&ctx, sc.uri)
					for pb.Next() {
						serveOK(b, h, &ctx)
					}
				})
				reportCPU(b, start)
			})
		}
	}
}

func request(ctx *fasthttp.RequestCtx, uri string) {
	ctx.Request.SetRequestURI(uri)
	ctx.Request.Header.SetMethod("GET")
}

func serveOK(b *testing.B, h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx) {
	ctx.Response.Reset()
	h(ctx)
	if ctx.Response.StatusCode() != 200 {
		b.Fatalf("%d %s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
}

// reportCPU reports the CPU time per request since start: the process's
// whole (GC included), steadier than wall time when other work shares the
// cores.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((processCPU()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
