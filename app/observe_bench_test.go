package app

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/valyala/fasthttp"
)

// BenchmarkObserveGetOne measures what the request metrics and the
// request log cost on the GET-one route, each program built as the binary
// builds it: bare, with metrics, with the request log (JSON lines written
// to a file through the program's log output), and with both. The
// variants take turns in short rounds (each round in another order), so
// that the bare program is measured beside each of the others, under the
// same load; each one's cost is the median over the rounds of its time
// per request divided by the bare program's in the same round
// (metrics/bare, log/bare, both/bare). The times are the CPU time of the
// thread that serves the requests (threadCPU), which the other processes
// of a shared machine change much less than the clock's; what other
// threads do (the garbage collector's background work, a timed flush of
// the log) is left out of both. It takes about ten seconds.
func BenchmarkObserveGetOne(b *testing.B) {
	cfg := shopConfig(b)
	cfg.Log.Format = "json"
	logFile, err := os.Create(filepath.Join(b.TempDir(), "requests.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logFile.Close()
	out := newLogOutput(logFile, flushEvery)
	defer out.Close()
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
			opts.access = newAccessLogger(out, cfg.Log)
		}
		p, err := Build(b.Context(), cfg, NewLogger(io.Discard), opts)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		handlers[i] = p.API.Handler()
		getOne(b, handlers[i], 200) // warm: statements, pools, metric children
	}
	const rounds, perRound = 64, 150
	ns := make([][]float64, len(variants))    // by variant, a time per request for each round
	ratio := make([][]float64, len(variants)) // by variant, its time / bare's in each round
	runtime.LockOSThread()                    // threadCPU is this goroutine's
	defer runtime.UnlockOSThread()
	for b.Loop() {
		for r := range rounds {
			for k := range variants {
				i := (k + r) % len(variants)
				start := threadCPU()
				getOne(b, handlers[i], perRound)
				ns[i] = append(ns[i], float64((threadCPU()-start).Nanoseconds())/perRound)
			}
			for i := range variants {
				ratio[i] = append(ratio[i], ns[i][len(ns[i])-1]/ns[0][len(ns[0])-1])
			}
		}
	}
	for i, v := range variants {
		b.ReportMetric(median(ns[i]), v.name+"-cpu-ns/req")
		if i > 0 {
			b.ReportMetric(median(ratio[i]), v.name+"/bare")
		}
	}
}

// median is the middle of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	if len(xs)%2 == 0 {
		return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	return xs[len(xs)/2]
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
				opts.access = newAccessLogger(newLogOutput(io.Discard, flushEvery), cfg.Log)
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
