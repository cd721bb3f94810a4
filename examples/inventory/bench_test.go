package main

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/examples/inventory/service"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/internal/testkit/testproxy"
	"github.com/aposproxy/aposproxy/proxy"
)

// BenchmarkUpstreamGetOne measures GET one inventory item through the
// proxy's whole handler (the front door, the pipeline, the upstream
// adapter's call over loopback, the mapping, the rendering and the ETag),
// and, as its baseline in the same run, the same call sent straight to the
// service with a pooled fasthttp client: the difference is what the proxy
// adds, the service's own work being in both. The bench suite's upstream
// scenario measures the same against nginx.
//
// With INVENTORY_BENCH_URL set (a service started with `go run
// ./examples/inventory -token secret-token`), the service runs in a
// process of its own, so that an instruction count of this process
// (valgrind --tool=callgrind) is the proxy's alone.
func BenchmarkUpstreamGetOne(b *testing.B) {
	url := os.Getenv("INVENTORY_BENCH_URL")
	if url == "" {
		url = testkit.ServeServer(b, &fasthttp.Server{Handler: service.New("secret-token").Handler()})
	}
	b.Run("direct", func(b *testing.B) {
		c := &fasthttp.HostClient{Addr: url[len("http://"):], Name: "aposproxy"}
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI(url + "/v2/items/INV-0001?language=en&state=live")
		req.Header.Set("X-Api-Token", "secret-token")
		req.Header.Set(fasthttp.HeaderAccept, "application/json")
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			if err := c.DoTimeout(req, resp, time.Second); err != nil || resp.StatusCode() != 200 {
				b.Fatal(err, resp.StatusCode())
			}
		}
		reportCPU(b, cpu)
	})
	b.Run("aposproxy", func(b *testing.B) {
		h := benchHandler(b, url)
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI("/api/v1/inventory-item/INV-0001:en:published")
		ctx.Request.Header.SetMethod(fasthttp.MethodGet)
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			ctx.Response.Reset()
			h(&ctx)
			if ctx.Response.StatusCode() != 200 {
				b.Fatal(ctx.Response.StatusCode(), string(ctx.Response.Body()))
			}
		}
		reportCPU(b, cpu)
	})
}

// cpuTime is the CPU time this process has used so far, in user space and
// in the kernel: on a shared machine, a call's wall time is mostly waiting
// (for the service, for a core), its CPU time is what it costs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per call since start as cpu-ns/op (the
// service's included when it runs in this process).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// benchHandler is the proxy's handler with the snippet's inventory-item
// in front of the service at serviceURL.
func benchHandler(b *testing.B, serviceURL string) fasthttp.RequestHandler {
	snippet, err := os.ReadFile("config.toml.snippet")
	if err != nil {
		b.Fatal(err)
	}
	b.Setenv("INVENTORY_URL", serviceURL)
	b.Setenv("INVENTORY_TOKEN", "secret-token")
	b.Setenv("INVENTORY_TEST_EDITOR_KEY", editorKey)
	cfg, _ := testproxy.Config(b, head+string(snippet), nil)
	return testproxy.Build(b, cfg, proxy.Options{}).Handler()
}
