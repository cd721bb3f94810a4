package proxy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// decodeServer serves the shop with a job runner, the locales of
// localeConfig, and an extra route that echoes its two path parameters, as
// the routes of login, Go modules and declared modules are added.
func decodeServer(t *testing.T) fasthttp.RequestHandler {
	t.Helper()
	t.Setenv("SHOP_EDITOR_APIKEY", "editor-key")
	s := shopServer(t, localeConfig(t), true)
	err := s.AddRoute(endpoint.Route{Method: "GET", Path: "/api/v1/probe/{_id}/part/{name}", MinRole: apos.Anonymous,
		Handler: func(r *endpoint.Request) ([]byte, error) {
			return json.Marshal(map[string]string{"_id": r.Param("_id"), "name": r.Param("name")})
		}})
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

// TestDecodeParams drives every route family with raw and percent-encoded
// path parameters (docs/api-rules.md#64): each parameter is decoded once,
// after routing, and a malformed escape is 400 invalid.
func TestDecodeParams(t *testing.T) {
	h := decodeServer(t)
	const ed = "editor-key"
	type check struct {
		name, method, uri, key, body string
		status                       int
		want                         []string // gjson path, value
	}
	checks := []check{
		// The type routes.
		{"GET raw", "GET", "/api/v1/product/P-1004:fr:published", "", "", 200, []string{"_id", "P-1004:fr:published"}},
		{"GET encoded", "GET", "/api/v1/product/P-1004%3Afr%3Apublished", "", "", 200, []string{"_id", "P-1004:fr:published"}},
		{"GET lower-case escapes", "GET", "/api/v1/product/P-1004%3afr%3apublished", "", "", 200, []string{"_id", "P-1004:fr:published"}},
		{"every character encoded", "GET", "/api/v1/product/%50%2D%31%30%30%34", "", "", 200, []string{"_id", "P-1004:en:published"}},
		{"HEAD encoded", "HEAD", "/api/v1/product/P-1004%3Aen%3Apublished", "", "", 200, nil},
		{"an anonymous draft read is 403, not 404", "GET", "/api/v1/product/P-1004%3Aen%3Adraft", "", "", 403, []string{"name", "forbidden"}},
		{"GET a draft encoded", "GET", "/api/v1/product/P-1004%3Aen%3Adraft", ed, "", 200, []string{"_id", "P-1004:en:draft"}},
		{"PATCH encoded", "PATCH", "/api/v1/product/P-1004%3Aen%3Adraft", ed, `{"title":"Encoded"}`, 200, []string{"_id", "P-1004:en:draft", "title", "Encoded"}},
		{"PATCH raw", "PATCH", "/api/v1/product/P-1004:en:draft", ed, `{"title":"Raw"}`, 200, []string{"title", "Raw"}},
		{"PUT encoded", "PUT", "/api/v1/product/P-1005%3Aen%3Adraft", ed, `{"title":"Put","price":100}`, 200, []string{"_id", "P-1005:en:draft", "title", "Put"}},
		{"decoded once: %253A is %3A", "GET", "/api/v1/product/P-1004%253Aen%253Apublished", "", "", 404, []string{"name", "notfound"}},
		{"%2F is no separator", "GET", "/api/v1/product/P-1004%2Flocales", ed, "", 404, []string{"name", "notfound"}},
		{"a malformed escape", "GET", "/api/v1/product/P-1004%E0%A4%A", "", "", 400, []string{"name", "invalid"}},
		{"not an escape", "GET", "/api/v1/product/P-1004%zz", "", "", 400, []string{"name", "invalid"}},
		{"an escape that is not UTF-8", "PATCH", "/api/v1/product/P-1004%FF", ed, `{}`, 400, []string{"name", "invalid"}},
		// The workflow routes.
		{"publish encoded", "POST", "/api/v1/product/P-1004%3Aen%3Adraft/publish", ed, "", 200, []string{"_id", "P-1004:en:draft", "modified", "false"}},
		{"locales encoded", "GET", "/api/v1/product/P-1004%3Aen%3Apublished/locales", ed, "", 200, []string{"results.0._id", "P-1004:en:published"}},
		{"locales raw", "GET", "/api/v1/product/P-1004:en:published/locales", ed, "", 200, []string{"results.0._id", "P-1004:en:published"}},
		{"a workflow route with a malformed escape", "POST", "/api/v1/product/P-1004%zz/publish", ed, "", 400, []string{"name", "invalid"}},
		// A locale prefix keeps the path raw for the router.
		{"prefix and encoded", "GET", "/fr/api/v1/product/P-1004%3Afr%3Apublished", "", "", 200, []string{"_id", "P-1004:fr:published"}},
		{"prefix and bare encoded", "GET", "/fr/api/v1/product/%50-1004", "", "", 200, []string{"_id", "P-1004:fr:published"}},
		{"prefix and %2F", "GET", "/fr/api/v1/product/P-1004%2Flocales", ed, "", 404, []string{"name", "notfound"}},
		{"a private locale in an encoded _id", "GET", "/api/v1/product/P-1004%3Ask%3Apublished", "", "", 404, []string{"name", "notfound"}},
		// Routes added with AddRoute: login, Go modules, declared modules.
		{"extra route raw", "GET", "/api/v1/probe/a:b/part/x", "", "", 200, []string{"_id", "a:b", "name", "x"}},
		{"extra route encoded", "GET", "/api/v1/probe/a%2Fb%3Ac/part/caf%C3%A9%20au%20lait", "", "", 200, []string{"_id", "a/b:c", "name", "café au lait"}},
		{"plus stays plus", "GET", "/api/v1/probe/a+b/part/%2B", "", "", 200, []string{"_id", "a+b", "name", "+"}},
		{"extra route malformed", "GET", "/api/v1/probe/ok/part/%E0%A4%A", "", "", 400, []string{"name", "invalid"}},
		// Routes without parameters are unchanged.
		{"locales route", "GET", "/api/v1/@apostrophecms/i18n/locales", "", "", 200, []string{"en.label", "English"}},
		{"job, malformed", "GET", "/api/v1/@apostrophecms/job/%zz", ed, "", 400, []string{"name", "invalid"}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { expectExchange(t, h, c.method, c.uri, c.key, c.body, c.status, c.want...) })
	}
	t.Run("batch publish and its job by encoded id", func(t *testing.T) {
		r := exchange(h, "POST", "/api/v1/product/publish", ed, `{"_ids":["P-1006:en:draft"]}`)
		status, body := r.status, r.body
		id := gjson.Get(body, "jobId").Str
		if status != 200 || id == "" {
			t.Fatalf("%d %s", status, body)
		}
		encoded := fmt.Sprintf("%%%02X", id[0]) + id[1:]
		expectExchange(t, h, "GET", "/api/v1/@apostrophecms/job/"+encoded, ed, "", 200, "_id", id)
		expectExchange(t, h, "GET", "/api/v1/@apostrophecms/job/"+id, ed, "", 200, "_id", id)
	})
}

// expectExchange sends one request through h and checks its status and
// the gjson path/value pairs of its body.
func expectExchange(t *testing.T, h fasthttp.RequestHandler, method, uri, key, body string, status int, want ...string) {
	t.Helper()
	r := exchange(h, method, uri, key, body)
	got, answer := r.status, r.body
	if got != status {
		t.Fatalf("%s %s: %d %s, want %d", method, uri, got, answer, status)
	}
	for i := 0; i+1 < len(want); i += 2 {
		if v := gjson.Get(answer, want[i]).String(); v != want[i+1] {
			t.Errorf("%s %s: %s = %q, want %q; body %s", method, uri, want[i], v, want[i+1], answer)
		}
	}
	if status == 400 && !strings.Contains(gjson.Get(answer, "message").Str, "Failed to decode param") {
		t.Errorf("message: %s", answer)
	}
}

// BenchmarkDecodeParams measures the pipeline on a type route refused by
// its _id after every stage, with the _id raw and encoded.
func BenchmarkDecodeParams(b *testing.B) {
	h := shopHandler(b, shopConfig(b))
	for _, bc := range []struct{ name, uri string }{
		{"raw", "/api/v1/product/P-1001:zz:published"},
		{"encoded", "/api/v1/product/P-1001%3Azz%3Apublished"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			ctx.Request.SetRequestURI(bc.uri)
			ctx.Request.Header.SetMethod("GET")
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				h(&ctx)
				if ctx.Response.StatusCode() != 404 {
					b.Fatalf("%d %s", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
		})
	}
}
