package proxy

import (
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/valyala/fasthttp"
)

// TestRequestID: every answer has an X-Request-Id, the caller's when it
// is usable, a new one otherwise; browsers may read it and the ETag
// (docs/api-rules.md#54, #66).
func TestRequestID(t *testing.T) {
	t.Setenv("SHOP_EDITOR_APIKEY", "editor-key")
	cfg := shopConfig(t)
	s := shopServer(t, cfg, false)
	if err := s.AddRoute(endpoint.Route{Method: "GET", Path: "/api/v1/boom", MinRole: apos.Anonymous,
		Handler: func(*endpoint.Request) ([]byte, error) { panic("boom") }}); err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	send := func(method, uri, id string) *fasthttp.Response {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI(uri)
		ctx.Request.Header.SetMethod(method)
		ctx.Request.Header.Set("Origin", "https://shop.example")
		if id != "" {
			ctx.Request.Header.Set("X-Request-Id", id)
		}
		h(&ctx)
		var r fasthttp.Response
		ctx.Response.CopyTo(&r)
		return &r
	}
	seen := map[string]bool{}
	for _, c := range []struct {
		name, method, uri, sent string
		status                  int
		echoed                  bool
	}{
		{"a document", "GET", "/api/v1/product/P-1001", "", 200, false},
		{"a usable id is echoed", "GET", "/api/v1/product/P-1001", "3f2a9c1e-7b4d-4e8a-9c1f-0d2e3f4a5b6c", 200, true},
		{"a gateway's id", "GET", "/api/v1/product/P-1001", "req_01HV:abc.def", 200, true},
		{"an id with spaces is replaced", "GET", "/api/v1/product/P-1001", "a b", 200, false},
		{"an id with a header injection is replaced", "GET", "/api/v1/product/P-1001", "a\r\nSet-Cookie: x=y", 200, false},
		{"a long id is replaced", "GET", "/api/v1/product/P-1001", strings.Repeat("a", 129), 200, false},
		{"an unknown route", "GET", "/api/v1/nosuch", "", 404, false},
		{"a 501", "POST", "/api/v1/@apostrophecms/attachment/upload", "", 501, false},
		{"a preflight", "OPTIONS", "/api/v1/product", "", 204, false},
		{"a panic", "GET", "/api/v1/boom", "", 500, false},
		{"a panic keeps the caller's id", "GET", "/api/v1/boom", "trace-1", 500, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := send(c.method, c.uri, c.sent)
			got := string(r.Header.Peek("X-Request-Id"))
			switch {
			case r.StatusCode() != c.status:
				t.Fatalf("status %d, want %d", r.StatusCode(), c.status)
			case c.echoed && got != c.sent:
				t.Fatalf("X-Request-Id %q, want %q", got, c.sent)
			case !c.echoed && (!validRequestID([]byte(got)) || seen[got] || got == c.sent):
				t.Fatalf("X-Request-Id %q: not a new id", got)
			}
			seen[got] = true
			if c.method != "OPTIONS" {
				if e := string(r.Header.Peek("Access-Control-Expose-Headers")); e != "ETag, X-Request-Id" {
					t.Fatalf("Access-Control-Expose-Headers %q", e)
				}
			}
			if c.status == 200 && len(r.Header.Peek("ETag")) == 0 {
				t.Fatal("no ETag")
			}
		})
	}
}

// TestCORSExposes: a listed origin may read the ETag and the request id;
// an origin not listed gets neither.
func TestCORSExposes(t *testing.T) {
	p := newCORS(config.CORS{Origins: []string{"https://shop.example"}})
	for origin, want := range map[string]string{"https://shop.example": "ETag, X-Request-Id", "https://evil.example": ""} {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.Set("Origin", origin)
		p.allow(&ctx)
		if got := string(ctx.Response.Header.Peek("Access-Control-Expose-Headers")); got != want {
			t.Errorf("%s: %q, want %q", origin, got, want)
		}
	}
}

// BenchmarkRequestID measures the id of an answer, new or echoed.
func BenchmarkRequestID(b *testing.B) {
	var ids requestIDs
	ids.init()
	for _, sent := range []string{"", "3f2a9c1e-7b4d-4e8a-9c1f-0d2e3f4a5b6c"} {
		b.Run("sent "+map[bool]string{true: "none", false: "one"}[sent == ""], func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			if sent != "" {
				ctx.Request.Header.Set("X-Request-Id", sent)
			}
			b.ReportAllocs()
			for b.Loop() {
				ids.set(&ctx)
			}
		})
	}
}
