package oembed

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/config"
)

// provider is an oEmbed provider served on loopback by the test, reached
// as http://localhost:port (a name the tests allow, or not).
type provider struct {
	base  string       // http://localhost:port
	addr  string       // 127.0.0.1:port
	hits  atomic.Int64 // oEmbed answers asked for
	pages atomic.Int64 // every other request
}

// answerJSON is the provider's oEmbed answer, indented, with http:// URLs
// for the proxy to make protocol-relative.
const answerJSON = `{
  "version": "1.0",
  "type": "video",
  "title": "Loopback video",
  "provider_name": "Test",
  "width": 640,
  "height": 360,
  "thumbnail_url": "http://%[1]s/thumb.jpg",
  "html": "<iframe src=\"http://%[1]s/embed/1\" width=\"640\" height=\"360\"></iframe>",
  "author_url": "http://%[1]s/author"
}`

// wantAnswer is what the proxy answers for it.
func (p *provider) wantAnswer() string {
	host := strings.TrimPrefix(p.base, "http://")
	return `{"version":"1.0","type":"video","title":"Loopback video","provider_name":"Test","width":640,"height":360,` +
		`"thumbnail_url":"//` + host + `/thumb.jpg","html":"<iframe src=\"//` + host + `/embed/1\" width=\"640\" height=\"360\"></iframe>",` +
		`"author_url":"http://` + host + `/author"}`
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	p := &provider{}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.addr = srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(p.addr)
	p.base = "http://localhost:" + port
	return p
}

// serve is the provider: /oembed answers (after ?delay), /video/N is a
// page that names it, and the other paths misbehave as their names say.
func (p *provider) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.URL.Path == "/oembed" {
		p.hits.Add(1)
	} else {
		p.pages.Add(1)
	}
	if d, err := time.ParseDuration(q.Get("delay")); err == nil {
		time.Sleep(d)
	}
	link := `<link rel="alternate" type="application/json+oembed" href="/oembed?url=` + url.QueryEscape(p.base+r.URL.Path) + `" title="x">`
	switch {
	case r.URL.Path == "/oembed":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, answerJSON, strings.TrimPrefix(p.base, "http://"))
	case strings.HasPrefix(r.URL.Path, "/video/"):
		fmt.Fprintf(w, "<!doctype html><html><head><title>v</title>\n<LINK Type=\"text/xml+oembed\" href=\"/x.xml\">%s</head><body>%s</body></html>",
			link, strings.Repeat("x", 100))
	case r.URL.Path == "/late-link":
		fmt.Fprintf(w, "<html><head><title>%s</title>%s</head></html>", strings.Repeat("x", 4096), link)
	case r.URL.Path == "/link-to":
		fmt.Fprintf(w, `<html><head><link type="application/json+oembed" href="%s"></head></html>`, q.Get("href"))
	case r.URL.Path == "/redirect":
		http.Redirect(w, r, q.Get("to"), http.StatusFound)
	case r.URL.Path == "/hops":
		http.Redirect(w, r, "/video/1", http.StatusFound)
	case r.URL.Path == "/big":
		fmt.Fprintf(w, `{"type":"video","title":"%s"}`, strings.Repeat("x", 4096))
	case r.URL.Path == "/trickle":
		w.Write([]byte(`{"type":`))
		w.(http.Flusher).Flush()
		time.Sleep(2 * time.Second)
	case r.URL.Path == "/not-json":
		w.Write([]byte(`<oembed><type>video</type></oembed>`))
	case r.URL.Path == "/array":
		w.Write([]byte(`[{"type":"video"}]`))
	case r.URL.Path == "/fails":
		http.Error(w, "no", http.StatusInternalServerError)
	default:
		w.Write([]byte("<html><head><title>no oEmbed here</title></head></html>"))
	}
}

// newService builds the service of an [oembed] section (after {{BASE}},
// the provider's base URL, is filled in).
func newService(t *testing.T, p *provider, section string) *Service {
	t.Helper()
	cfg, err := config.Parse([]byte(strings.ReplaceAll(section, "{{BASE}}", p.base)), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := New(cfg, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(s.Close)
	return s
}

// trusting allows the provider by name, on loopback, without known
// endpoints: every query is a discovery.
const trusting = `[oembed]
minimum_allowlist = ["localhost"]
minimum_endpoints = []
private_hosts = ["localhost"]
timeout = "500ms"
connect_timeout = "300ms"
max_body_bytes = 2048
max_redirects = 3
`

// Counter is a loopback listener that counts the connections it
// accepts: the place a refused connection would have gone to. It is
// exported for the route tests of package oembed_test.
type Counter struct {
	Addr     string
	Accepted atomic.Int64
}

// ListenCounting listens on address until the test ends, or returns nil
// when the machine cannot (no IPv6 loopback).
func ListenCounting(t *testing.T, network, address string) *Counter {
	t.Helper()
	ln, err := net.Listen(network, address)
	if err != nil {
		t.Logf("no listener on %s: %v", address, err)
		return nil
	}
	t.Cleanup(func() { ln.Close() })
	c := &Counter{Addr: ln.Addr().String()}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.Accepted.Add(1)
			conn.Close()
		}
	}()
	return c
}

// query runs one query as the route does, with the route's deadline.
func query(s *Service, raw string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Query(ctx, raw)
}
