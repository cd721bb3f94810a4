package app

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkObserveGetOne measures what the request metrics and the
// request log cost on the GET-one route, each program built as the binary
// builds it: bare, with metrics, with the request log (JSON lines written
// to a file), and with both. The variants run interleaved, several rounds,
// in the same run, and each one's time per request is reported as a ratio
// to the bare program's (metrics/bare, log/bare, both/bare).
func BenchmarkObserveGetOne(b *testing.B) {
	cfg := shopConfig(b)
	cfg.Log.Format = "json"
	logFile, err := os.Create(filepath.Join(b.TempDir(), "requests.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logFile.Close()
	variants := []struct {
		name          string
		metrics, logs bool
	}{{"bare", false, false}, {"metrics", true, false}, {"log", false, true}, {"both", true, true}}
	handlers := make([]fasthttp.RequestHandler, len(variants))
	for i, v := range variants {
		opts := Options{}
		if v.metrics {
			_, opts.metrics = newRegistry(&live{})
		}
		if v.logs {
			opts.access = newAccessLogger(logFile, cfg.Log)
		}
		p, err := Build(b.Context(), cfg, NewLogger(io.Discard), opts)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		handlers[i] = p.API.Handler()
	}
	const rounds, perRound = 10, 20000
	ns := make([]float64, len(variants))
	for b.Loop() {
		clear(ns)
		for range rounds {
			for i, h := range handlers {
				start := time.Now()
				getOne(b, h, perRound)
				ns[i] += float64(time.Since(start).Nanoseconds()) / (rounds * perRound)
			}
		}
	}
	for i, v := range variants {
		b.ReportMetric(ns[i], v.name+"-ns/req")
		if i > 0 {
			b.ReportMetric(ns[i]/ns[0], v.name+"/bare")
		}
	}
}

// getOne answers GET /api/v1/product/P-1001:en:published n times.
func getOne(b *testing.B, h fasthttp.RequestHandler, n int) {
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/api/v1/product/P-1001:en:published")
	ctx.Request.Header.SetMethod("GET")
	for range n {
		ctx.Response.Reset()
		h(&ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("%d %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
	}
}

// BenchmarkObserveAllocs reports the allocations per GET-one request of
// the bare program, with metrics, and with the request log: allocations,
// unlike times, do not depend on what else the machine runs.
func BenchmarkObserveAllocs(b *testing.B) {
	cfg := shopConfig(b)
	cfg.Log.Format = "json"
	for _, v := range []struct {
		name          string
		metrics, logs bool
	}{{"bare", false, false}, {"metrics", true, false}, {"log", false, true}} {
		b.Run(v.name, func(b *testing.B) {
			opts := Options{}
			if v.metrics {
				_, opts.metrics = newRegistry(&live{})
			}
			if v.logs {
				opts.access = newAccessLogger(io.Discard, cfg.Log)
			}
			p, err := Build(b.Context(), cfg, NewLogger(io.Discard), opts)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			h := p.API.Handler()
			getOne(b, h, 10)
			b.ReportAllocs()
			b.ResetTimer()
			getOne(b, h, b.N)
		})
	}
}
