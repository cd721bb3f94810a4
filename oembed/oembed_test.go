package oembed

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/config"
)

// TestDiscovery: the page of an allowed URL names its endpoint; the
// answer is the provider's, compact, with html and thumbnail_url made
// protocol-relative and the other URLs left alone.
func TestDiscovery(t *testing.T) {
	p := newProvider(t)
	s := newService(t, p, trusting)
	for _, raw := range []string{p.base + "/video/1", " " + p.base + "/video/1\t"} {
		b, err := query(s, raw)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if string(b) != p.wantAnswer() {
			t.Fatalf("%q:\n got %s\nwant %s", raw, b, p.wantAnswer())
		}
	}
	// A redirect within the trusted host is followed, the link then
	// resolved against the page it ended on.
	if _, err := query(s, p.base+"/hops"); err != nil {
		t.Fatalf("redirected page: %v", err)
	}
}

// TestKnownEndpoint: a site with a configured endpoint is not fetched,
// its endpoint is asked with url= and format=json.
func TestKnownEndpoint(t *testing.T) {
	p := newProvider(t)
	s := newService(t, p, trusting+`
[[oembed.endpoints]]
domain = "localhost"
endpoint = "{{BASE}}/oembed"
`)
	b, err := query(s, p.base+"/no-page-here")
	if err != nil || string(b) != p.wantAnswer() {
		t.Fatalf("%s %v", b, err)
	}
	if p.pages.Load() != 0 || p.hits.Load() != 1 {
		t.Fatalf("pages %d, answers %d: want 0 and 1", p.pages.Load(), p.hits.Load())
	}
	if got := s.sites.endpoint(mustParse(t, "https://www.youtube.com/watch?v=a")); got != "" {
		t.Fatalf("minimum_endpoints = [] still knows YouTube: %s", got)
	}
	cfg, err := config.Parse(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := newSites(&cfg.OEmbed)
	if got := d.endpoint(mustParse(t, "https://youtu.be/abc?t=1")); got != "https://www.youtube.com/oembed?format=json&url=https%3A%2F%2Fyoutu.be%2Fabc%3Ft%3D1" {
		t.Fatalf("default YouTube endpoint: %s", got)
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRefusedQueries: what is not an allowed http(s) URL is refused
// before anything is fetched.
func TestRefusedQueries(t *testing.T) {
	p := newProvider(t)
	s := newService(t, p, trusting)
	host := strings.TrimPrefix(p.base, "http://")
	for _, raw := range []string{
		"", "notaurl", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>", "ftp://" + host + "/video/1",
		"http://127.0.0.1:9/video", "http://user:pw@" + host + "/video/1", "https://evil.example/?u=localhost",
		"http://localhost.evil.example/video/1", "http://evillocalhost/video/1", "mailto:a@localhost", "file:///etc/passwd",
	} {
		if b, err := query(s, raw); err == nil {
			t.Errorf("%q answered %s", raw, b)
		}
	}
	if n := p.hits.Load() + p.pages.Load(); n != 0 {
		t.Fatalf("the provider was asked %d times", n)
	}
	if n := s.fetch.guard.refused.Load(); n != 0 {
		t.Fatalf("%d connections were even tried", n)
	}
}

// TestProviderFailures: an answer that is not a JSON object, a failing
// provider and a page without a JSON oEmbed link are failures.
func TestProviderFailures(t *testing.T) {
	p := newProvider(t)
	s := newService(t, p, trusting)
	for _, path := range []string{"/not-json", "/array", "/fails", "/plain"} {
		if b, err := query(s, p.base+"/link-to?href="+url.QueryEscape(path)); err == nil {
			t.Errorf("%s answered %s", path, b)
		}
	}
	if b, err := query(s, p.base+"/plain"); err == nil {
		t.Errorf("a page without a link answered %s", b)
	}
	if b, err := query(s, p.base+"/link-to?href="+url.QueryEscape("javascript:alert(1)")); err == nil {
		t.Errorf("a javascript: endpoint answered %s", b)
	}
}

// TestCache: the second query of a URL is answered from the cache, and
// concurrent queries of one URL make one fetch; an answer expires after
// cache_lifetime.
func TestCache(t *testing.T) {
	p := newProvider(t)
	s := newService(t, p, trusting+`cache_lifetime = "300ms"`)
	page := p.base + "/video/1"
	for range 3 {
		if _, err := query(s, page); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.hits.Load(); n != 1 {
		t.Fatalf("provider asked %d times for one URL, want 1", n)
	}
	time.Sleep(400 * time.Millisecond)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := query(s, page+"?delay=100ms"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := p.hits.Load(); n != 2 {
		t.Fatalf("provider asked %d times after 8 concurrent queries of a new URL, want 2", n)
	}
	if _, err := query(s, page); err != nil || p.hits.Load() != 3 {
		t.Fatalf("after cache_lifetime: %v, provider asked %d times, want 3", err, p.hits.Load())
	}
}

// TestMemoryCacheBound: past max_cache_entries the oldest answers go.
func TestMemoryCacheBound(t *testing.T) {
	c := newMemoryCache(time.Hour, 3)
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		c.set(t.Context(), k, []byte(k))
	}
	for k, want := range map[string]bool{"a": false, "b": false, "c": true, "d": true, "e": true} {
		if _, ok := c.get(t.Context(), k); ok != want {
			t.Errorf("%s cached: %v, want %v", k, ok, want)
		}
	}
	if len(c.entries) != 3 || len(c.queue) != 3 {
		t.Fatalf("%d entries, %d queued", len(c.entries), len(c.queue))
	}
	short := newMemoryCache(time.Millisecond, 1000)
	for i := range 100 {
		short.set(t.Context(), "k", []byte{byte(i)})
		time.Sleep(2 * time.Millisecond)
	}
	if len(short.queue) > 2 {
		t.Fatalf("expired entries pile up: %d queued", len(short.queue))
	}
}

// TestLimits: an answer or a page over max_body_bytes, a provider slower
// than the timeout (headers or body) and too many redirects fail, within
// the timeout.
func TestLimits(t *testing.T) {
	p := newProvider(t)
	s := newService(t, p, trusting)
	for name, raw := range map[string]string{
		"answer too large":    p.base + "/link-to?href=/big",
		"link past the limit": p.base + "/late-link",
		"slow headers":        p.base + "/video/1?delay=2s",
		"slow answer":         p.base + "/link-to?href=" + url.QueryEscape("/oembed?delay=2s"),
		"trickled answer":     p.base + "/link-to?href=/trickle",
		"too many redirects": p.base + "/redirect?to=" + url.QueryEscape("/redirect?to="+url.QueryEscape("/redirect?to="+
			url.QueryEscape("/redirect?to="+url.QueryEscape("/video/1")))),
	} {
		start := time.Now()
		b, err := query(s, raw)
		if err == nil {
			t.Errorf("%s: answered %s", name, b)
		}
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Errorf("%s: took %v, timeout is 500ms", name, d)
		}
	}
	if _, err := query(s, p.base+"/redirect?to="+url.QueryEscape("/redirect?to="+url.QueryEscape("/video/2"))); err != nil {
		t.Errorf("two redirects of three allowed: %v", err)
	}
}
