package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/valyala/fasthttp"
	"golang.org/x/time/rate"
)

// servedShop builds the front end of the shop with cfg changed by edit,
// serves it on loopback until the test ends, and returns it with its
// site URL.
func servedShop(tb testing.TB, edit func(*config.Config), routes ...endpoint.Route) (*Server, string) {
	tb.Helper()
	cfg := shopConfig(tb)
	if edit != nil {
		edit(cfg)
	}
	s := shopServer(tb, cfg, false)
	if err := s.AddRoutes(routes...); err != nil {
		tb.Fatal(err)
	}
	return s, testkit.ServeServer(tb, &fasthttp.Server{Handler: s.Handler()})
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

// get sends GET url with client c and an optional Host header.
func get(t *testing.T, c *http.Client, url, host string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestInFlightCap: past server.max_in_flight requests at once, a request
// gets a fast 503 with Retry-After; once one leaves, requests are served
// again.
func TestInFlightCap(t *testing.T) {
	entered, release := make(chan struct{}, 2), make(chan struct{})
	slow := endpoint.Route{Name: "test slow", Method: "GET", Path: "/api/v1/slow", MinRole: apos.Anonymous,
		Handler: func(*endpoint.Request) ([]byte, error) {
			entered <- struct{}{}
			<-release
			return []byte(`{}`), nil
		}}
	_, base := servedShop(t, func(c *config.Config) { c.Server.MaxInFlight = 2 }, slow)
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the server's shutdown, which waits for them
	done := make(chan int, 2)
	for range 2 {
		go func() {
			resp, err := http.Get(base + "/api/v1/slow")
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
	}
	<-entered
	<-entered
	start := time.Now()
	resp, body := get(t, noRedirects, base+"/api/v1/category", "")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(body, `"name":"error"`) {
		t.Fatalf("over the cap: %d Retry-After=%q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the refusal took %v", d)
	}
	free()
	for range 2 {
		if status := <-done; status != 200 {
			t.Fatalf("a slow request got %d", status)
		}
	}
	if resp, body := get(t, noRedirects, base+"/api/v1/category", ""); resp.StatusCode != 200 {
		t.Fatalf("after the slow ones: %d %s", resp.StatusCode, body)
	}
}

// TestRateLimit: with server.rate_limit, an address past its burst gets
// 429 with Retry-After, while another address is still served.
func TestRateLimit(t *testing.T) {
	_, base := servedShop(t, func(c *config.Config) { c.Server.RateLimit, c.Server.RateBurst = 1, 3 })
	for i := range 3 {
		if resp, body := get(t, noRedirects, base+"/api/v1/category", ""); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body := get(t, noRedirects, base+"/api/v1/category", "")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many requests") {
		t.Fatalf("past the burst: %d Retry-After=%q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext}}
	if resp, body := get(t, other, base+"/api/v1/category", ""); resp.StatusCode != 200 {
		t.Fatalf("another address: %d %s", resp.StatusCode, body)
	}
}

// TestAddressRatesBounded: a crowd of addresses keeps at most max
// buckets, and an address whose bucket was forgotten had a full one.
func TestAddressRatesBounded(t *testing.T) {
	r := newAddressRates(rate.Limit(1), 1, 100)
	now := time.Now()
	for i := range 10_000 {
		ip := []byte{10, byte(i >> 16), byte(i >> 8), byte(i)}
		if !r.allow(ip, now) {
			t.Fatalf("address %d refused its first request", i)
		}
		if len(r.byAddr) > 100 {
			t.Fatalf("%d buckets, want at most 100", len(r.byAddr))
		}
	}
	ip := []byte{192, 0, 2, 1}
	if !r.allow(ip, now) || r.allow(ip, now) {
		t.Fatal("an address's second request within its burst of 1 was not refused")
	}
}

// TestNoRedirectToRequestHost: a path with a trailing slash (or other
// unclean forms) is answered as its route, never redirected to the host
// the request names; unknown routes stay 404.
func TestNoRedirectToRequestHost(t *testing.T) {
	_, base := servedShop(t, nil)
	want, _ := get(t, noRedirects, base+"/api/v1/category?perPage=1", "")
	for _, p := range []string{"/api/v1/category/?perPage=1", "/api/v1//category?perPage=1", "/api/v1/x/../category/?perPage=1"} {
		resp, body := get(t, noRedirects, base+p, "evil.example")
		if resp.StatusCode != 200 || resp.Header.Get("Location") != "" || !strings.Contains(body, `"results"`) {
			t.Fatalf("%s: %d Location=%q %.80s", p, resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if want.StatusCode != resp.StatusCode {
			t.Fatalf("%s: %d, the route answers %d", p, resp.StatusCode, want.StatusCode)
		}
	}
	if resp, body := get(t, noRedirects, base+"/api/v1/nothing/", "evil.example"); resp.StatusCode != 404 || resp.Header.Get("Location") != "" {
		t.Fatalf("unknown: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

// TestNoSniff: every answer says X-Content-Type-Options: nosniff.
func TestNoSniff(t *testing.T) {
	_, base := servedShop(t, nil)
	for _, p := range []string{"/api/v1/category", "/api/v1/nothing", "/api/v1/product/P-1001:en:draft", "/api/v1/category/999"} {
		resp, _ := get(t, noRedirects, base+p, "")
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s (%d): X-Content-Type-Options = %q", p, resp.StatusCode, resp.Header.Get("X-Content-Type-Options"))
		}
	}
}

// TestErrorLogThrottled: a storm of failures logs a burst of lines, then
// a few a second, and the count of the lines held back.
func TestErrorLogThrottled(t *testing.T) {
	saved := errorLines
	errorLines = newLogThrottle(10, 20)
	t.Cleanup(func() { errorLines = saved })
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	var ctx fasthttp.RequestCtx
	for range 1000 {
		writeError(&ctx, log, errors.New("connection refused"))
		writeError(&ctx, log, apos.Wrap(apos.ErrUnavailable, "", errors.New("connection refused")))
	}
	if n := bytes.Count(logs.Bytes(), []byte("\n")); n > 25 {
		t.Fatalf("2000 failures wrote %d lines", n)
	}
	time.Sleep(150 * time.Millisecond)
	writeError(&ctx, log, errors.New("connection refused"))
	m := regexp.MustCompile(`suppressed.* count=(\d+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no count of the suppressed lines:\n%s", logs.String())
	}
	if n, _ := strconv.Atoi(m[1]); n < 1900 {
		t.Fatalf("no count of the suppressed lines:\n%s", logs.String())
	}
}

// TestHeadersTooLarge: a request line and headers past the read buffer
// (server.max_header_bytes) are a JSON 431.
func TestHeadersTooLarge(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var ctx fasthttp.RequestCtx
	var req fasthttp.Request
	err := req.ReadLimitBody(bufio.NewReaderSize(strings.NewReader("GET / HTTP/1.1\r\nCookie: "+strings.Repeat("x", 8192)+"\r\n\r\n"), 4096), 0)
	s.ErrorHandler(&ctx, err)
	if ctx.Response.StatusCode() != 431 || !strings.Contains(string(ctx.Response.Body()), `"name":"invalid"`) {
		t.Fatalf("%v: %d %s", err, ctx.Response.StatusCode(), ctx.Response.Body())
	}
}
