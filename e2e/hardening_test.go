package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The attacks of issue 15 on the transport and on the shop's defaults,
// over the binary on every engine.

// TestCustomerDataNeedsAKey: the shop's customers and orders (names,
// emails, lifetime values) are not public, and neither is the declared
// route of a customer's orders, which does not say public = true.
func TestCustomerDataNeedsAKey(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		for _, p := range []string{"/customer", "/customer/6", "/order", "/order?customerId=6"} {
			expect(t, s.do(t, "GET", p, "", ""), 404, "name", "notfound")
		}
		expect(t, s.do(t, "GET", "/customer/6/orders", "", ""), 403, "name", "forbidden")
		expect(t, s.do(t, "GET", "/customer/6", guestKey, ""), 200, "_id", "6", "email", "c6@mail.example")
		expect(t, s.do(t, "GET", "/order?customerId=6&perPage=1", guestKey, ""), 200, "results.#", "1")
		r := s.do(t, "GET", "/customer/6/orders", guestKey, "")
		expect(t, r, 200)
		if n := gjson.Get(r.body, "#").Int(); n == 0 {
			t.Fatalf("no orders for a guest: %s", r.body)
		}
	})
}

// deep is a JSON value nested depth levels.
func deep(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

// TestDeepJSONRefused: a body nested 100,000 levels (PostgreSQL answered
// 500 "stack depth limit exceeded", SQLite stored it, MySQL refused it)
// is 400 invalid on every engine, in a POST, a PATCH and a declared
// route, and changes nothing; a document of ordinary depth is stored.
func TestDeepJSONRefused(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		const draft = "/product/P-1001:en:draft"
		before := s.do(t, "GET", draft, editorKey, "")
		expect(t, before, 200)
		for _, depth := range []int{100_000, 65} {
			attrs := `{"title":"Deep","price":1,"attributes":{"x":` + deep(depth) + `}}`
			expect(t, s.do(t, "POST", "/product", editorKey, attrs), 400, "name", "invalid")
			expect(t, s.do(t, "PATCH", draft, editorKey, `{"attributes":{"x":`+deep(depth)+`}}`), 400, "name", "invalid")
			expect(t, s.do(t, "PATCH", draft, editorKey, `{"$push":{"attributes.tags":`+deep(depth)+`}}`), 400, "name", "invalid")
			expect(t, s.do(t, "POST", "/customer/merge", editorKey, `{"from":5,"into":6,"x":`+deep(depth)+`}`), 400, "name", "invalid")
		}
		if after := s.do(t, "GET", draft, editorKey, ""); after.body != before.body {
			t.Fatalf("a refused body changed the draft:\n%s\n%s", before.body, after.body)
		}
		ok := s.do(t, "PATCH", draft, editorKey, `{"attributes":{"x":`+deep(10)+`}}`)
		expect(t, ok, 200, "attributes.x", deep(10))
	})
}

// TestDuplicateKeysRefused: a key twice in one body was read two ways
// (POST kept the first title, PATCH the last, a second price was never
// validated, the merge took the first from); it is now 400 invalid naming
// the key, wherever a body is read, and changes nothing.
func TestDuplicateKeysRefused(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		value0, orders0 := s.totals(t)
		const draft = "/product/P-1002:en:draft"
		before := s.do(t, "GET", draft, editorKey, "")
		for _, tc := range []struct{ method, path, body, key string }{
			{"POST", "/product", `{"title":"First","price":100,"title":"Second"}`, "title"},
			{"PATCH", draft, `{"title":"First","title":"Second"}`, "title"},
			{"PATCH", draft, `{"price":100,"price":"abc"}`, "price"},
			{"PATCH", draft, `{"attributes":{"weight_g":1,"weight_g":2}}`, "attributes.weight_g"},
			{"PUT", draft, `{"title":"A","price":1,"color":"red","color":"blue"}`, "color"},
			{"POST", "/customer/merge", `{"from":5,"from":12,"into":6}`, "from"},
		} {
			r := s.do(t, tc.method, tc.path, editorKey, tc.body)
			expect(t, r, 400, "name", "invalid", "data.errors.0.path", tc.key)
		}
		r := s.do(t, "POST", "/customer/merge", editorKey, "from=5&into=6&from=12", "Content-Type", "application/x-www-form-urlencoded")
		expect(t, r, 400, "name", "invalid", "data.errors.0.path", "from")
		if after := s.do(t, "GET", draft, editorKey, ""); after.body != before.body {
			t.Fatalf("a refused body changed the draft:\n%s\n%s", before.body, after.body)
		}
		if value, orders := s.totals(t); value != value0 || orders != orders0 {
			t.Fatalf("totals changed: %d %d, were %d %d", value, orders, value0, orders0)
		}
	})
}

// TestHostNotReflected: a path with a trailing slash and Host:
// evil.example was a cacheable 301 to http://evil.example/...; it is
// answered as its route, with no Location at all.
func TestHostNotReflected(t *testing.T) {
	t.Parallel()
	client := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	forEachEngine(t, func(t *testing.T, s *shop) {
		for _, p := range []string{"/product/?perPage=1", "/product/P-1004:fr:published/", "/category//"} {
			req, err := http.NewRequest("GET", s.base+p, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "evil.example"
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Location") != "" {
				t.Fatalf("%s: %d Location=%q %.100s", p, resp.StatusCode, resp.Header.Get("Location"), b)
			}
			if strings.Contains(string(b), "evil.example") {
				t.Fatalf("%s: the body names the request's host: %.200s", p, b)
			}
		}
	})
}

// TestLongHeadersServed: a request with 200 _ids[] and a 10 KB cookie
// (refused by the old 4 KB header limit) is served; headers past
// server.max_header_bytes are a 431, not a dropped connection. Every
// answer is nosniff.
func TestLongHeadersServed(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		q := url.Values{}
		for i := range 200 {
			q.Add("_ids[]", fmt.Sprintf("P-%d:en:published", 1001+i))
		}
		cookie := "prefs=" + strings.Repeat("x", 10<<10)
		r := s.do(t, "GET", "/product?"+q.Encode(), "", "", "Cookie", cookie)
		expect(t, r, 200)
		if n := gjson.Get(r.body, "results.#").Int(); n == 0 {
			t.Fatalf("no products: %.200s", r.body)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("X-Content-Type-Options = %q", r.header.Get("X-Content-Type-Options"))
		}
		big := s.do(t, "GET", "/product", "", "", "Cookie", "prefs="+strings.Repeat("x", 40<<10))
		expect(t, big, 431, "name", "invalid")
		for _, p := range []string{"/nothing", "/product/P-1001:en:draft"} {
			if r := s.do(t, "GET", p, "", ""); r.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("%s (%d): X-Content-Type-Options = %q", p, r.status, r.header.Get("X-Content-Type-Options"))
			}
		}
	})
}
