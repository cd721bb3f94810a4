package upstream

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// keepAliveServer serves h on loopback with net/http, closing idle
// keep-alive connections after idle (as Node does after 5s), and counts
// the connections it accepted.
func keepAliveServer(t *testing.T, idle time.Duration, h http.HandlerFunc) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	srv := &http.Server{Handler: h, IdleTimeout: idle, ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), &conns
}

// client builds a client of url whose settings tweak changes.
func client(t *testing.T, url string, tweak func(*config.Upstream)) *Client {
	t.Helper()
	u := upstreamAt(t, url)
	if tweak != nil {
		tweak(&u)
	}
	c, err := NewClient("svc", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestIdleTimeoutDefault: pooled connections are closed before Node's 5s
// keep-alive closes them.
func TestIdleTimeoutDefault(t *testing.T) {
	u := upstreamAt(t, "http://127.0.0.1:1")
	if u.IdleTimeout.Duration != 4*time.Second {
		t.Errorf("idle_timeout defaults to %v, want 4s", u.IdleTimeout.Duration)
	}
	c := client(t, "http://127.0.0.1:1", nil)
	if c.hc.MaxIdleConnDuration != 4*time.Second {
		t.Errorf("the pool keeps idle connections %v", c.hc.MaxIdleConnDuration)
	}
}

// TestServerClosesIdle: a service that closes idle connections after 1s,
// while the client would keep them 10s. Every method, sent after the
// service closed the pooled connection, goes out once on a fresh
// connection and succeeds; the breaker never sees a failure.
func TestServerClosesIdle(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	url, conns := keepAliveServer(t, time.Second, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		got[r.Method]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	c := client(t, url, func(u *config.Upstream) {
		u.IdleTimeout.Duration = 10 * time.Second
		u.BreakerFailures = 1
	})
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE", "GET"}
	if _, err := c.Call(context.Background(), "GET", "/warm", nil); err != nil {
		t.Fatal(err)
	}
	for _, m := range methods {
		time.Sleep(1300 * time.Millisecond)
		var body []byte
		if m != "GET" && m != "DELETE" {
			body = []byte(`{}`)
		}
		if _, err := c.Call(context.Background(), m, "/x", body); err != nil {
			t.Fatalf("%s after the service closed the idle connection: %v", m, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		if got[m] != 1 {
			t.Errorf("the service got %d %s, want 1", got[m], m)
		}
	}
	if got["GET"] != 3 {
		t.Errorf("the service got %d GET, want 3", got["GET"])
	}
	if n := conns.Load(); n != int32(len(methods)+1) {
		t.Errorf("%d connections, want one per call (each idle one was closed by the service)", n)
	}
	if s := c.breaker.State(); s != gobreaker.StateClosed {
		t.Errorf("breaker %v", s)
	}
}

// TestIdleTimeoutCloses: with the default idle timeout below the
// service's keep-alive, the client closes idle connections first.
func TestIdleTimeoutCloses(t *testing.T) {
	url, conns := keepAliveServer(t, 5*time.Second, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{}`))
	})
	c := client(t, url, func(u *config.Upstream) { u.IdleTimeout.Duration = 300 * time.Millisecond })
	for range 2 {
		if _, err := c.Call(context.Background(), "POST", "/x", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(900 * time.Millisecond)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2: the client must drop idle ones itself", n)
	}
}

// TestClosedBeforeAnswer: a service that reads the request and closes the
// connection without answering. A read is sent once more; a write is not,
// and its error says that it may have happened.
func TestClosedBeforeAnswer(t *testing.T) {
	var calls atomic.Int32
	url, _ := keepAliveServer(t, time.Minute, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	c := client(t, url, nil)
	if _, err := c.Call(context.Background(), "GET", "/x", nil); !errors.Is(err, apos.ErrBadGateway) {
		t.Errorf("GET: %v", err)
	}
	if n := calls.Swap(0); n != 2 {
		t.Errorf("GET sent %d times, want 2", n)
	}
	_, err := c.Call(context.Background(), "POST", "/x", []byte(`{}`))
	if e, _ := apos.AsError(err); !errors.Is(err, apos.ErrBadGateway) || !strings.Contains(e.Message, "may have happened") {
		t.Errorf("POST: %v", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("POST sent %d times, want 1", n)
	}
}

// TestWriteTimeout: a write the service takes too long to answer says
// that it may have happened, and is not sent again.
func TestWriteTimeout(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	url, _ := keepAliveServer(t, time.Minute, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-release
	})
	defer close(release)
	c := client(t, url, func(u *config.Upstream) {
		u.Timeout.Duration = 200 * time.Millisecond
		u.Retries = 3
	})
	_, err := c.Call(context.Background(), "POST", "/x", []byte(`{}`))
	e, _ := apos.AsError(err)
	if !errors.Is(err, apos.ErrTimeout) || !strings.Contains(e.Message, "the write may have happened") {
		t.Errorf("err = %v", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("sent %d times", n)
	}
}

// TestIdempotencyKey: when the service honours idempotency keys, every
// write carries one, and a write that failed transiently is sent again
// with the same key.
func TestIdempotencyKey(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	url, _ := keepAliveServer(t, time.Minute, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		first := len(keys) == 1
		mu.Unlock()
		if first {
			w.WriteHeader(503)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	})
	c := client(t, url, func(u *config.Upstream) {
		u.IdempotencyHeader = "Idempotency-Key"
		u.Retries = 2
	})
	if _, err := c.Call(context.Background(), "POST", "/x", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("keys sent: %q, want the same key twice", keys)
	}
}

// TestBreakerCountsOnlyFailures: refusals of a healthy service (4xx, and
// 5xx the type maps to a client's error) never open the breaker; unmapped
// 5xx do.
func TestBreakerCountsOnlyFailures(t *testing.T) {
	var answer atomic.Int32
	answer.Store(400)
	url := serve(t, func(ctx *fasthttp.RequestCtx) {
		ctx.SetStatusCode(int(answer.Load()))
		ctx.SetBodyString(`{}`)
	})
	a := adapterAt(t, url, func(cfg *config.Config) {
		u := cfg.Upstreams["inventory"]
		u.BreakerFailures, u.Retries = 2, 0
		cfg.Upstreams["inventory"] = u
		cfg.Types["inventory-item"].Service.Errors.Statuses = map[string]string{"500": "invalid"}
	})
	for _, st := range []int32{400, 404, 409, 422, 401, 500} {
		answer.Store(st)
		for range 4 {
			_ = get(a)
		}
		if s := a.c.breaker.State(); s != gobreaker.StateClosed {
			t.Fatalf("after %d answers: breaker %v", st, s)
		}
	}
	answer.Store(500)
	if err := get(a); !errors.Is(err, apos.ErrInvalid) {
		t.Errorf("a 500 mapped to invalid: %v", err)
	}
	answer.Store(502)
	_ = get(a)
	_ = get(a)
	if err := get(a); !errors.Is(err, apos.ErrUnavailable) {
		t.Errorf("unmapped 502s must open the breaker: %v", err)
	}
}

// TestServiceRestarts: a service that stops, closing every connection it
// had kept alive, and is back at once. The reads that follow, on
// connections that answered a moment ago (which go out without a check),
// all succeed: the first finds its connection closed with nothing
// answered and goes again, and from then on every connection is checked
// before a request is written on it.
func TestServiceRestarts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // so that the warm-up calls overlap
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	first := &http.Server{Handler: h}
	go func() { _ = first.Serve(ln) }()
	c := client(t, "http://"+addr, func(u *config.Upstream) { u.BreakerFailures = 1 })
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := c.Call(context.Background(), "GET", "/warm", nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := c.hc.ConnsCount(); n < 2 {
		t.Fatalf("%d pooled connections, the test needs several", n)
	}
	_ = first.Close()
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	second := &http.Server{Handler: h}
	go func() { _ = second.Serve(ln) }()
	t.Cleanup(func() { _ = second.Close() })
	time.Sleep(5 * time.Millisecond) // the closes reach the client
	for i := range 6 {
		if _, err := c.Call(context.Background(), "GET", "/x", nil); err != nil {
			t.Fatalf("GET %d after the restart: %v", i, err)
		}
	}
	if s := c.breaker.State(); s != gobreaker.StateClosed {
		t.Errorf("breaker %v", s)
	}
}
