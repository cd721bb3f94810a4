package upstream

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/examples/inventory/service"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// faultTimeout is the client's total timeout in the fault tests; answers
// must come within it and this slack.
const (
	faultTimeout = 300 * time.Millisecond
	slack        = 300 * time.Millisecond
)

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string { return "http://" + testkit.FreeAddr(t) }

func get(a *Adapter) error {
	_, err := a.Get(context.Background(), enLive, "INV-0001")
	return err
}

func insert(a *Adapter) error {
	_, err := a.Insert(context.Background(), enDraft, &adapters.Insert{Values: desk})
	return err
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name    string
		handler func(release <-chan struct{}) fasthttp.RequestHandler // nil: nothing listens
		op      func(*Adapter) error
		err     error
		calls   int32 // calls the service gets; 0: not checked
		min     time.Duration
	}{
		{"down, read", nil, get, apos.ErrBadGateway, 0, 0},
		{"down, write", nil, insert, apos.ErrBadGateway, 0, 0},
		{"hangs past the timeout", func(release <-chan struct{}) fasthttp.RequestHandler {
			return func(*fasthttp.RequestCtx) { <-release }
		}, get, apos.ErrTimeout, 1, faultTimeout},
		{"answers 500", status(500), get, apos.ErrBadGateway, 1, 0},
		{"answers 503, reads are retried", status(503), get, apos.ErrBadGateway, 3, 0},
		{"answers 503, writes are not", status(503), insert, apos.ErrBadGateway, 1, 0},
		{"answers invalid JSON", body(`{"data":{"item":{"itemId":`), get, apos.ErrBadGateway, 1, 0},
		{"answers an oversized body", body(`{"data":{"item":{"label":"` + strings.Repeat("x", 4096) + `"}}}`), get, apos.ErrBadGateway, 1, 0},
		{"drops the connection mid-body", func(<-chan struct{}) fasthttp.RequestHandler {
			return func(ctx *fasthttp.RequestCtx) {
				ctx.HijackSetNoResponse(true)
				ctx.Hijack(func(c net.Conn) {
					_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"data\":{\"item\":"))
				})
			}
		}, get, apos.ErrBadGateway, 0, 0},
		{"answers an item without its key", body(`{"data":{"item":{"label":"x"}}}`), get, apos.ErrBadGateway, 1, 0},
		{"answers a field of the wrong type", body(`{"data":{"item":{"itemId":"INV-0001","qty":"lots"}}}`), get, apos.ErrBadGateway, 1, 0},
		{"answers without the item", body(`{"data":{}}`), get, apos.ErrBadGateway, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := goroutines()
			t.Cleanup(func() { noLeaks(t, before) })
			url := closedPort(t)
			var calls atomic.Int32
			if tt.handler != nil {
				release := make(chan struct{})
				h := tt.handler(release)
				url = serve(t, func(ctx *fasthttp.RequestCtx) {
					calls.Add(1)
					h(ctx)
				})
				t.Cleanup(func() { close(release) })
			}
			a := adapterAt(t, url, func(cfg *config.Config) {
				u := cfg.Upstreams["inventory"]
				u.Timeout.Duration = faultTimeout
				u.MaxBodyBytes = 1024
				cfg.Upstreams["inventory"] = u
			})
			start := time.Now()
			err := tt.op(a)
			elapsed := time.Since(start)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if e, _ := apos.AsError(err); e.Message != "" {
				t.Errorf("client message %q: service failures must not be described to clients", e.Message)
			}
			if elapsed < tt.min || elapsed > faultTimeout+slack {
				t.Errorf("answered in %v, want within %v", elapsed, faultTimeout+slack)
			}
			if tt.calls != 0 && calls.Load() != tt.calls {
				t.Errorf("the service got %d calls, want %d", calls.Load(), tt.calls)
			}
		})
	}
}

// TestDeadline: the caller's deadline bounds the call when it is earlier
// than the client's timeout.
func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	url := serve(t, func(*fasthttp.RequestCtx) { <-release })
	t.Cleanup(func() { close(release) })
	a := adapterAt(t, url, nil)
	getTimesOut(t, a)
}

// getTimesOut checks that a Get with a deadline 100ms away fails with the
// timeout error at that deadline.
func getTimesOut(t *testing.T, a *Adapter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := a.Get(ctx, enLive, "INV-0001")
	if !errors.Is(err, apos.ErrTimeout) || time.Since(start) > 100*time.Millisecond+slack {
		t.Errorf("err = %v after %v, want timeout after 100ms", err, time.Since(start))
	}
}

// TestDeadlineOnReusedConnection: a call on a pooled connection whose
// previous call had a later deadline is bounded by its own (liveConn
// keeps deadlines and waits for the answer before reading it).
func TestDeadlineOnReusedConnection(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	inv := service.New(testToken).Handler()
	url := serve(t, func(ctx *fasthttp.RequestCtx) {
		if calls.Add(1) > 1 {
			<-release
			return
		}
		inv(ctx)
	})
	t.Cleanup(func() { close(release) })
	a := adapterAt(t, url, func(cfg *config.Config) {
		u := cfg.Upstreams["inventory"]
		u.MaxConns, u.Retries = 1, 0
		cfg.Upstreams["inventory"] = u
	})
	if err := get(a); err != nil {
		t.Fatal(err)
	}
	getTimesOut(t, a)
}

// TestBreaker: repeated failures open the breaker, which answers 503 at
// once without calling the service, then lets a probe through after its
// cooldown and closes when the service answers again.
func TestBreaker(t *testing.T) {
	var failing atomic.Bool
	var calls atomic.Int32
	failing.Store(true)
	svc := service.New(testToken).Handler()
	url := serve(t, func(ctx *fasthttp.RequestCtx) {
		calls.Add(1)
		if failing.Load() {
			ctx.SetStatusCode(500)
			return
		}
		svc(ctx)
	})
	cfg := snippet(t, url)
	u := cfg.Upstreams["inventory"]
	u.Retries = 0
	u.BreakerFailures, u.BreakerCooldown.Duration = 3, 200*time.Millisecond
	c, err := NewClient("inventory", u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := New(c, cfg.Types["inventory-item"], Options{DefaultLocale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		before  func()
		err     error
		calls   int32
		fasterT time.Duration
	}{
		{"failure 1", nil, apos.ErrBadGateway, 1, 0},
		{"failure 2", nil, apos.ErrBadGateway, 2, 0},
		{"failure 3 opens", nil, apos.ErrBadGateway, 3, 0},
		{"open: fails fast", nil, apos.ErrUnavailable, 3, 20 * time.Millisecond},
		{"still open though the service is back", func() { failing.Store(false) }, apos.ErrUnavailable, 3, 20 * time.Millisecond},
		{"probe after the cooldown closes it", func() { time.Sleep(250 * time.Millisecond) }, nil, 4, 0},
		{"closed", nil, nil, 5, 0},
		{"not found is the service working", func() {}, apos.ErrNotFound, 6, 0},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		start := time.Now()
		id := "INV-0001"
		if s.err == apos.ErrNotFound {
			id = "INV-9999"
		}
		_, err := a.Get(context.Background(), enLive, id)
		if s.err == nil && err != nil || s.err != nil && !errors.Is(err, s.err) {
			t.Fatalf("%s: err = %v, want %v", s.name, err, s.err)
		}
		if s.fasterT > 0 && time.Since(start) > s.fasterT {
			t.Errorf("%s: took %v", s.name, time.Since(start))
		}
		if calls.Load() != s.calls {
			t.Errorf("%s: the service got %d calls, want %d", s.name, calls.Load(), s.calls)
		}
	}
}

func status(code int) func(<-chan struct{}) fasthttp.RequestHandler {
	return func(<-chan struct{}) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) { ctx.SetStatusCode(code) }
	}
}

func body(b string) func(<-chan struct{}) fasthttp.RequestHandler {
	return func(<-chan struct{}) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("application/json")
			ctx.SetBodyString(b)
		}
	}
}
