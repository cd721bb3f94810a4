package e2e

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// hostileReadTimeout is server.read_timeout in the hostile suite's
// configuration: short, so that a slow client is cut within seconds.
const hostileReadTimeout = 2 * time.Second

// sqlPayloads are values an attacker tries in the hope that one is
// spliced into SQL text: quotes, statement ends, comments, a NUL, MySQL's
// identifier quotes and PostgreSQL's placeholders.
var sqlPayloads = []string{
	`' OR 1=1 --`,
	`"; DROP TABLE products; --`,
	"x\x00y",
	"`name`",
	`$1`,
	`1 OR 1=1`,
	`1); DELETE FROM products; --`,
}

// TestHostileHTTP attacks the shop over HTTP on every engine, as a
// hostile client would: SQL in every parameter, id, body field and
// header; oversized headers, query strings and bodies; JSON nested
// 100,000 levels; invalid UTF-8; duplicate keys; prototype paths in
// PATCH; request smuggling pairs; a slowloris client. Each is refused
// with a clear 4xx (a JSON error in Apostrophe's shape), or, for a read
// whose answer is a list, answered with a list that the payload does not
// widen; a connection whose framing is in doubt is closed; nothing is
// ever a 5xx. No row of any shop table changes: every table is
// checksummed before and after.
func TestHostileHTTP(t *testing.T) {
	t.Parallel()
	cfg := hostileConfig(t)
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		s := startShopWith(t, e, binary, cfg)
		db := openShopDB(t, s)
		before := checksums(t, db)
		t.Run("SQL in query parameters", func(t *testing.T) { sqlInParams(t, s) })
		t.Run("SQL in ids", func(t *testing.T) { sqlInIDs(t, s) })
		t.Run("SQL in body fields", func(t *testing.T) { sqlInBodies(t, s) })
		t.Run("SQL in headers", func(t *testing.T) { sqlInHeaders(t, s) })
		t.Run("oversized requests", func(t *testing.T) { oversized(t, s) })
		t.Run("deep JSON", func(t *testing.T) { deepJSON(t, s) })
		t.Run("invalid UTF-8", func(t *testing.T) { invalidUTF8(t, s) })
		t.Run("duplicate keys", func(t *testing.T) { duplicateKeys(t, s) })
		t.Run("prototype paths", func(t *testing.T) { prototypePaths(t, s) })
		t.Run("smuggling pairs", func(t *testing.T) { smuggling(t, s) })
		t.Run("slowloris", func(t *testing.T) { slowloris(t, s) })
		after := checksums(t, db)
		for table, sum := range before {
			if after[table] != sum {
				t.Errorf("table %s changed", table)
			}
		}
		if len(after) != len(before) {
			t.Errorf("tables before: %v; after: %v", before, after)
		}
	})
}

// hostileConfig is the shop's configuration with a short read timeout.
func hostileConfig(t *testing.T) string {
	path := writeConfig(t, "")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "[server]\n", fmt.Sprintf("[server]\nread_timeout = %q\n", hostileReadTimeout), 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// refused checks that r is a clear 4xx: a status between 400 and 499
// with a JSON body in Apostrophe's error shape.
func refused(t *testing.T, what string, r response) {
	t.Helper()
	if r.status < 400 || r.status > 499 || !gjson.Valid(r.body) || gjson.Get(r.body, "name").Type != gjson.String {
		t.Errorf("%s: %d %.300s, want a 4xx in Apostrophe's error shape", what, r.status, r.body)
	}
}

// answered checks that r is no server error: a 2xx or a clear 4xx.
func answered(t *testing.T, what string, r response) {
	t.Helper()
	if r.status >= 200 && r.status < 300 && gjson.Valid(r.body) {
		return
	}
	refused(t, what, r)
}

// sqlInParams sends each payload in each list parameter, as its value
// and as its bracketed key. Parameters that can only be read one way
// refuse it; the rest are answered, and the filters among them match
// nothing (a payload that widened a query would match every row).
func sqlInParams(t *testing.T, s *shop) {
	for _, p := range sqlPayloads {
		q := url.QueryEscape(p)
		for _, query := range []string{"price=" + q, "categoryId[]=1&categoryId[]=" + q, "createdAt=" + q,
			"sort[" + q + "]=1", "sort[title]=" + q, "apikey=" + q} {
			refused(t, "GET /product?"+query, s.do(t, "GET", "/product?"+query, "", ""))
		}
		for _, query := range []string{"title=" + q, "description=" + q, "search=" + q, "autocomplete=" + q,
			"_ids[]=" + q, "_ids=" + q + "," + q} {
			r := s.do(t, "GET", "/product?"+query, "", "")
			answered(t, "GET /product?"+query, r)
			if r.status == 200 && gjson.Get(r.body, "results.#").Int() != 0 {
				t.Errorf("GET /product?%s matched %d products", query, gjson.Get(r.body, "results.#").Int())
			}
		}
		for _, query := range []string{"color=" + q, "inStock=" + q, "project[" + q + "]=1", "page=" + q, "perPage=" + q,
			"aposLocale=" + q, "aposMode=" + q, "choices=" + q, "counts=" + q, "withPublished=" + q, q + "=" + q} {
			answered(t, "GET /product?"+query, s.do(t, "GET", "/product?"+query, "", ""))
		}
		answered(t, "GET /category?title="+q, s.do(t, "GET", "/category?title="+q+"&parentId[]="+q, "", ""))
		answered(t, "GET /customer/1/orders?page="+q, s.do(t, "GET", "/customer/1/orders?page="+q+"&perPage="+q, guestKey, ""))
	}
}

// sqlInIDs puts each payload where an id goes, for every method: no
// document has such an id, and no write reaches one.
func sqlInIDs(t *testing.T, s *shop) {
	for _, p := range sqlPayloads {
		id := url.PathEscape(p)
		for _, c := range []struct{ method, path, key, body string }{
			{"GET", "/product/" + id + ":en:published", "", ""},
			{"GET", "/product/" + id, "", ""},
			{"GET", "/product/P-1001:" + id + ":draft", contributorKey, ""},
			{"GET", "/product/P-1001:en:" + id, contributorKey, ""},
			{"GET", "/category/" + id, "", ""},
			{"PATCH", "/product/" + id + ":en:draft", adminKey, `{"title":"x"}`},
			{"PUT", "/product/" + id + ":en:draft", adminKey, `{"title":"x","price":1}`},
			{"DELETE", "/product/" + id + ":en:draft", adminKey, ""},
			{"POST", "/product/" + id + ":en:draft/publish", adminKey, "{}"},
			{"PATCH", "/category/" + id, adminKey, `{"title":"x"}`},
			{"DELETE", "/category/" + id, adminKey, ""},
		} {
			refused(t, c.method+" "+c.path, s.do(t, c.method, c.path, c.key, c.body))
		}
		orders(t, s, id)
	}
}

// orders asks for the orders of the customer id, which no customer has:
// the declared route answers none. Its path parameter is text, which
// MySQL compares with the integer column as the number it starts with
// ("1 OR 1=1" is 1): there the answer may be that customer's orders, but
// never more.
func orders(t *testing.T, s *shop, id string) {
	t.Helper()
	r := s.do(t, "GET", "/customer/"+id+"/orders", guestKey, "")
	answered(t, "GET /customer/"+id+"/orders", r)
	if r.status != 200 || r.body == "[]" {
		return
	}
	n := len(id) - len(strings.TrimLeft(id, "0123456789"))
	if s.driver != "mysql" || n == 0 {
		t.Errorf("GET /customer/%s/orders: %s", id, r.body)
		return
	}
	if same := s.do(t, "GET", "/customer/"+id[:n]+"/orders", guestKey, "").body; r.body != same {
		t.Errorf("GET /customer/%s/orders: %s, more than customer %s's %s", id, r.body, id[:n], same)
	}
}

// sqlInBodies puts each payload in every field of each write, and in
// keys and dot paths: each write is refused (a payload is no integer),
// so that nothing is written whatever the SQL would do.
func sqlInBodies(t *testing.T, s *shop) {
	for _, p := range sqlPayloads {
		all := jsonOf(t, map[string]any{"title": p, "description": p, "price": p, "color": p, "inStock": p,
			"attributes": p, "categoryId": p, "createdAt": p, "updatedAt": p, "_createId": p, "slug": p})
		for _, c := range []struct{ method, path, body string }{
			{"POST", "/product", all},
			{"PUT", "/product/P-1001:en:draft", all},
			{"PATCH", "/product/P-1001:en:draft", all},
			{"PATCH", "/product/P-1001:en:draft", jsonOf(t, map[string]any{"attributes." + p: 1})},
			{"PATCH", "/product/P-1001:en:draft", jsonOf(t, map[string]any{"$push": map[string]any{p: 1}})},
			{"POST", "/category", jsonOf(t, map[string]any{"title": p, "parentId": p})},
			{"PATCH", "/customer/1", jsonOf(t, map[string]any{"title": p, "email": p, "lifetimeValue": p})},
			{"POST", "/customer/merge", jsonOf(t, map[string]any{"from": p, "into": p})},
			{"POST", "/customer/merge", jsonOf(t, map[string]any{"from": 1, "into": p})},
		} {
			refused(t, c.method+" "+c.path+" "+c.body, s.do(t, c.method, c.path, adminKey, c.body))
		}
		// A key is no field, or an operator ($1) that Apostrophe ignores.
		r := s.do(t, "PATCH", "/product/P-1001:en:draft", adminKey, jsonOf(t, map[string]any{p: 1}))
		if strings.HasPrefix(p, "$") {
			answered(t, "PATCH {"+p+":1}", r)
		} else {
			refused(t, "PATCH {"+p+":1}", r)
		}
		form := "title=" + url.QueryEscape(p) + "&price=" + url.QueryEscape(p)
		refused(t, "PATCH form "+form, s.do(t, "PATCH", "/product/P-1001:en:draft", adminKey, form,
			"Content-Type", "application/x-www-form-urlencoded"))
	}
	// Logins are refused after the failure delay, one payload as the
	// username and another as the password.
	for i, p := range sqlPayloads[:3] {
		body := jsonOf(t, map[string]any{"username": p, "password": sqlPayloads[i+1]})
		refused(t, "login "+body, s.do(t, "POST", loginPath+"/login", "", body))
	}
}

// sqlInHeaders sends the payloads as credentials and preconditions.
func sqlInHeaders(t *testing.T, s *shop) {
	for _, p := range sqlPayloads {
		h := strings.ReplaceAll(p, "\x00", "%00") // a NUL cannot be sent in a header
		refused(t, "ApiKey "+h, s.do(t, "GET", "/product?aposMode=draft", "", "", "Authorization", "ApiKey "+h))
		refused(t, "Bearer "+h, s.do(t, "GET", "/product?aposMode=draft", "", "", "Authorization", "Bearer "+h))
		refused(t, "session cookie "+h, s.do(t, "GET", "/product?aposMode=draft", "", "", "Cookie", "aposproxy.sid="+h))
		refused(t, "If-Match "+h, s.do(t, "PATCH", "/product/P-1001:en:draft", adminKey, `{"title":"x"}`, "If-Match", h))
		refused(t, "If-Match \""+h+"\"", s.do(t, "PATCH", "/product/P-1001:en:draft", adminKey, `{"title":"x"}`, "If-Match", `"`+h+`"`))
	}
}

// oversized sends headers, query strings and bodies far past any limit.
func oversized(t *testing.T, s *shop) {
	big := strings.Repeat("a", 1<<20)
	for _, c := range []struct{ name, request string }{
		{"a 64 KiB header", "GET /api/v1/product HTTP/1.1\r\nHost: x\r\nX-Pad: " + big[:64<<10] + "\r\n\r\n"},
		{"a 1 MiB header", "GET /api/v1/product HTTP/1.1\r\nHost: x\r\nX-Pad: " + big + "\r\n\r\n"},
		{"10,000 headers", "GET /api/v1/product HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-H: v\r\n", 10000) + "\r\n"},
		{"a 64 KiB cookie", "GET /api/v1/product HTTP/1.1\r\nHost: x\r\nCookie: aposproxy.sid=" + big[:64<<10] + "\r\n\r\n"},
		{"a 64 KiB query string", "GET /api/v1/product?title=" + big[:64<<10] + " HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"a 1 MiB query string", "GET /api/v1/product?title=" + big + " HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"a 64 KiB path", "GET /api/v1/product/" + big[:64<<10] + " HTTP/1.1\r\nHost: x\r\n\r\n"},
	} {
		x := exchange(t, s, []byte(c.request), 5*time.Second)
		t.Logf("%s: %s", c.name, x)
		if len(x.responses) != 1 {
			t.Errorf("%s: %d answers (%v), want one 4xx", c.name, len(x.responses), x.err)
			continue
		}
		refused(t, c.name, x.responses[0])
	}
	// A body over server.max_body_bytes, announced and sent in chunks.
	head := "POST /api/v1/product HTTP/1.1\r\nHost: x\r\nAuthorization: ApiKey " + adminKey + "\r\nContent-Type: application/json\r\n"
	body := `{"title":"big","price":1,"description":"` + strings.Repeat("x", 2<<20) + `"}`
	for _, c := range []struct{ name, request string }{
		// The body is sent: the server reads request bodies as streams and
		// answers 413 from the front door, once the first bytes are in.
		{"an announced 2 MiB body", head + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body},
		{"a chunked 2 MiB body", head + "Transfer-Encoding: chunked\r\n\r\n" + chunked(body, 64<<10)},
	} {
		x := exchange(t, s, []byte(c.request), 10*time.Second)
		t.Logf("%s: %s", c.name, x)
		if len(x.responses) != 1 || x.responses[0].status != 413 {
			t.Errorf("%s: %d answers %v (%v), want one 413", c.name, len(x.responses), x.responses, x.err)
			continue
		}
		refused(t, c.name, x.responses[0])
	}
}

// deepJSON sends JSON nested 100,000 levels in each place a body is
// read. The stored document would not survive it: PostgreSQL's JSONB
// parser overflows its stack, MySQL refuses it, SQLite stores it.
func deepJSON(t *testing.T, s *shop) {
	d := deep(100_000)
	obj := strings.Repeat(`{"a":`, 100_000) + "1" + strings.Repeat("}", 100_000)
	for _, c := range []struct{ method, path, body string }{
		{"PATCH", "/product/P-1001:en:draft", `{"attributes":` + d + `}`},
		{"PATCH", "/product/P-1001:en:draft", `{"attributes.x":` + obj + `}`},
		{"PATCH", "/product/P-1001:en:draft", `{"$push":{"attributes.tags":` + d + `}}`},
		{"POST", "/product", `{"title":` + d + `,"price":1}`},
		{"PATCH", "/product/P-1001:en:draft", `{"title":"Deep","nosuch":` + d + `}`},
		{"POST", "/category", `{"title":"Deep","parentId":` + obj + `}`},
		{"POST", "/customer/merge", `{"from":` + d + `,"into":1}`},
		{"POST", loginPath + "/login", `{"username":` + d + `,"password":"x"}`},
	} {
		refused(t, c.method+" "+c.path+" "+c.body[:40], s.do(t, c.method, c.path, adminKey, c.body))
	}
	t.Run("in a json field of a write", func(t *testing.T) {
		// Before the depth cap, PostgreSQL answered 500 to both (stack
		// depth limit exceeded), SQLite stored the PUT, MySQL refused both.
		// _createId names a product that exists: without the cap this is
		// a conflict, not a new row, on the engines that store the value.
		expect(t, s.do(t, "POST", "/product", adminKey, `{"_createId":"P-1001","title":"Deep","price":1,"attributes":`+d+`}`), 400, "name", "invalid")
		expect(t, s.do(t, "PUT", "/product/P-1001:en:draft", adminKey, `{"title":"Deep","price":1,"attributes":`+obj+`}`), 400, "name", "invalid")
	})
}

// invalidUTF8 sends bytes that are no UTF-8 in values, keys, ids and
// parameters. Writes that would otherwise be taken are refused (the body
// as a whole, or naming the field), rather than stored as sent on one engine and refused on the
// others; text filters are refused rather than cut short (MySQL matched
// every row). A form body's bad bytes become U+FFFD as it is read.
func invalidUTF8(t *testing.T, s *shop) {
	for _, c := range []struct{ method, path, body, field string }{
		{"PATCH", "/product/P-1001:en:draft", "{\"title\":\"a\xffb\"}", "title"},
		{"PATCH", "/product/P-1001:en:draft", "{\"attributes\":{\"k\":[\"\xfe\"]}}", "attributes"},
		{"PATCH", "/product/P-1001:en:draft", "{\"attributes.k\":\"\xc3\"}", "attributes"},
		{"PUT", "/product/P-1001:en:draft", "{\"title\":\"Sofa\",\"price\":1,\"description\":\"\xff\"}", "description"},
		{"POST", "/product", "{\"title\":\"New\",\"price\":1,\"description\":\"\xed\xa0\x80\"}", "description"},
		{"POST", "/category", "{\"title\":\"\xf0\x28\x8c\x28\"}", "title"},
		{"PATCH", "/customer/1", "{\"email\":\"a\xff@b.example\"}", "email"},
		{"PATCH", "/product/P-1001:en:draft", "{\"\xff\":1}", "\xff"},
	} {
		r := s.do(t, c.method, c.path, adminKey, c.body)
		refused(t, fmt.Sprintf("%s %s %q", c.method, c.path, c.body), r)
		// The body check refuses the whole body before any field is read;
		// a value that reaches the fields (a form) is refused naming it.
		got := gjson.Get(r.body, "data.errors.0.path").Str
		whole := gjson.Get(r.body, "message").Str == "The request body is not valid UTF-8."
		if r.status == 400 && !whole && got != strings.ToValidUTF8(c.field, "\uFFFD") {
			t.Errorf("%s %s %q: the error names %q, want %q", c.method, c.path, c.body, got, c.field)
		}
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/product/P-%FF%FE:en:draft", ""},
		{"GET", "/category/1%FF", ""},
		{"PATCH", "/product/P-1001:en:draft", "{\"attributes.\xff\":1}"},
		{"POST", "/customer/merge", "{\"from\":\"\xff\",\"into\":1}"},
	} {
		refused(t, fmt.Sprintf("%s %s %q", c.method, c.path, c.body), s.do(t, c.method, c.path, adminKey, c.body))
	}
	for _, query := range []string{"title=%FF%FE", "description=a%C3", "search=%FF", "autocomplete=%C3", "sort[%FF]=1"} {
		refused(t, "GET /product?"+query, s.do(t, "GET", "/product?"+query, "", ""))
	}
	for _, query := range []string{"_ids[]=%FF", "%FF=1", "aposLocale=%FF", "color=%FF", "project[%FF]=1"} {
		answered(t, "GET /product?"+query, s.do(t, "GET", "/product?"+query, "", ""))
	}
	orders(t, s, "%FF")
}

// duplicateKeys sends bodies that name a key twice, which readers would
// take two ways (the first or the last).
func duplicateKeys(t *testing.T, s *shop) {
	// Before the check, every engine took the PUT, both PATCHes and the
	// merge (200, and rows changed), and the POST was a 409 conflict.
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/product", `{"_createId":"P-1001","title":"a","price":1,"title":"b"}`},
		{"PUT", "/product/P-1001:en:draft", `{"title":"a","price":1,"price":"x"}`},
		{"PATCH", "/product/P-1001:en:draft", `{"title":"a","title":"b"}`},
		{"PATCH", "/product/P-1001:en:draft", `{"attributes":{"a":1,"a":2}}`},
		{"POST", "/customer/merge", `{"from":2,"into":1,"from":3}`},
	} {
		expect(t, s.do(t, c.method, c.path, adminKey, c.body), 400, "name", "invalid")
	}
}

// prototypePaths sends PATCH paths that would pollute an object's
// prototype in a JavaScript client that applied them: docs/api-rules.md
// (PATCH) says such paths are 400. A plain "__proto__" key is ignored, as
// every key starting with "_" is: it writes nothing.
func prototypePaths(t *testing.T, s *shop) {
	for _, body := range []string{
		`{"__proto__.admin":true}`,
		`{"constructor":{"prototype":{"admin":true}}}`,
		`{"constructor.prototype.admin":true}`,
		`{"toString.call":"x"}`,
		`{"attributes.__proto__":{"admin":true}}`,
		`{"attributes.__proto__.admin":true}`,
		`{"attributes.constructor.prototype":{"admin":true}}`,
		`{"attributes.constructor.prototype.admin":true}`,
		`{"attributes.tags.__proto__":1}`,
		`{"$push":{"attributes.__proto__":1}}`,
		`{"$pullAll":{"attributes.constructor.prototype":[1]}}`,
		`{"$pullAllById":{"attributes.__proto__":["x"]}}`,
		`{"_patches":[{"title":"x"},{"attributes.__proto__":{"admin":true}}]}`,
	} {
		refused(t, "PATCH "+body, s.do(t, "PATCH", "/product/P-1001:en:draft", adminKey, body))
	}
	answered(t, `PATCH {"__proto__":{...}}`, s.do(t, "PATCH", "/product/P-1001:en:draft", adminKey, `{"__proto__":{"admin":true}}`))
}

// smuggling sends requests whose framing two servers could read two ways,
// each carrying a second request that would delete a product: the server
// answers the first with a 4xx or closes the connection after it, and
// never answers (runs) the second.
func smuggling(t *testing.T, s *shop) {
	smuggled := "DELETE /api/v1/product/P-1001:en:draft HTTP/1.1\r\nHost: x\r\nAuthorization: ApiKey " + adminKey + "\r\n\r\n"
	outer := "POST /api/v1/@apostrophecms/login/whoami HTTP/1.1\r\nHost: x\r\n"
	zero := "0\r\n\r\n"
	for _, c := range []struct{ name, request string }{
		{"Content-Length and chunked (CL.TE)", outer + fmt.Sprintf("Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n", len(zero+smuggled)) + zero + smuggled},
		{"chunked and a short Content-Length (TE.CL)", outer + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(smuggled, 1<<20)},
		{"two Content-Lengths", outer + fmt.Sprintf("Content-Length: 0\r\nContent-Length: %d\r\n\r\n", len(smuggled)) + smuggled},
		{"two equal Content-Lengths", outer + fmt.Sprintf("Content-Length: %d\r\nContent-Length: %d\r\n\r\n", len(smuggled), len(smuggled)) + smuggled},
		{"a list of Content-Lengths", outer + fmt.Sprintf("Content-Length: 0, %d\r\n\r\n", len(smuggled)) + smuggled},
		{"two Transfer-Encodings", outer + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n" + zero + smuggled},
		{"an unknown Transfer-Encoding", outer + fmt.Sprintf("Transfer-Encoding: xchunked\r\nContent-Length: %d\r\n\r\n", len(zero+smuggled)) + zero + smuggled},
		{"Transfer-Encoding with a space before the colon", outer + fmt.Sprintf("Transfer-Encoding : chunked\r\nContent-Length: %d\r\n\r\n", len(zero+smuggled)) + zero + smuggled},
		{"chunked over HTTP/1.0", strings.Replace(outer, "HTTP/1.1", "HTTP/1.0", 1) + "Transfer-Encoding: chunked\r\n\r\n" + zero + smuggled},
		{"a chunk size past int64", outer + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n" + smuggled},
	} {
		x := exchange(t, s, []byte(c.request), 5*time.Second)
		t.Logf("%s: %s", c.name, x)
		switch {
		case len(x.responses) == 0:
			t.Errorf("%s: no answer (%v), want a 4xx or an answer and a close", c.name, x.err)
		case len(x.responses) > 1:
			t.Errorf("%s: the smuggled request was answered: %v", c.name, x.responses)
		case !x.closed:
			t.Errorf("%s: the connection stayed open after %v (%v)", c.name, x.responses[0], x.err)
		case x.responses[0].status >= 400:
			refused(t, c.name, x.responses[0])
		default:
			answered(t, c.name, x.responses[0])
		}
	}
	expect(t, s.do(t, "GET", "/product/P-1001:en:draft", contributorKey, ""), 200)
}

// slowloris sends a request's headers one byte a second: the server
// closes the connection within its read timeout.
func slowloris(t *testing.T, s *shop) {
	conn, err := net.Dial("tcp", s.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		_, _ = io.Copy(io.Discard, conn) // until the server closes
		closed <- time.Since(start)
	}()
	request := "GET /api/v1/product HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 60)
	limit := hostileReadTimeout + 2*time.Second
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case took := <-closed:
			t.Logf("closed after %v and %d bytes", took.Round(time.Millisecond), i)
			return
		case <-tick.C:
			if time.Since(start) > limit {
				t.Fatalf("the connection is still open after %v", time.Since(start).Round(time.Millisecond))
			}
			_, _ = conn.Write([]byte{request[i%len(request)]})
		}
	}
}

// addr is the shop's host:port.
func (s *shop) addr() string {
	return strings.TrimSuffix(strings.TrimPrefix(s.base, "http://"), "/api/v1")
}

// rawExchange is what came back on one connection: the answers read, in
// order, whether the server then closed the connection, and the error
// that ended the reading.
type rawExchange struct {
	responses []response
	closed    bool
	err       error
}

// String sums the exchange up for the test log.
func (x rawExchange) String() string {
	var b strings.Builder
	for _, r := range x.responses {
		fmt.Fprintf(&b, "%d %s; ", r.status, gjson.Get(r.body, "message").Str)
	}
	if x.closed {
		b.WriteString("closed")
	} else {
		fmt.Fprintf(&b, "open (%v)", x.err)
	}
	return b.String()
}

// exchange writes request on a new connection, while reading answers
// until the server closes it or wait has passed. The writing goes on
// alongside, so that an answer given before the request is whole (a
// refusal on the headers alone) is read before the server resets.
func exchange(t *testing.T, s *shop, request []byte, wait time.Duration) rawExchange {
	t.Helper()
	conn, err := net.Dial("tcp", s.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(wait))
	go func() { _, _ = conn.Write(request) }()
	var x rawExchange
	br := bufio.NewReader(conn)
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			x.err = err
			var ne net.Error
			x.closed = !(errors.As(err, &ne) && ne.Timeout())
			return x
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		x.responses = append(x.responses, response{status: resp.StatusCode, header: resp.Header, body: string(b)})
		if err != nil {
			x.err = err
			return x
		}
	}
}

// chunked encodes body in chunks of at most size bytes.
func chunked(body string, size int) string {
	var b strings.Builder
	for len(body) > 0 {
		n := min(size, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

// jsonOf encodes v.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openShopDB opens the shop's database beside the proxy.
func openShopDB(t *testing.T, s *shop) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), config.Database{Driver: s.driver, DSN: s.dsn, MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tablesQuery lists the tables of the shop's schema, per engine.
var tablesQuery = map[string]string{
	"sqlite":   "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
	"postgres": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
	"mysql":    "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
}

// checksums hashes every row of every shop table, read in the order of
// all its columns; the proxy's own tables (aposproxy_*: tokens, sessions,
// failed logins, jobs), which attacks may legitimately write, are left out.
func checksums(t *testing.T, db *sqldb.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, tablesQuery[db.Engine()])
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "aposproxy_") {
			tables = append(tables, name)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 7 {
		t.Fatalf("the shop has tables %v", tables)
	}
	sums := map[string]string{}
	for _, table := range tables {
		sums[table] = tableChecksum(t, db, table)
	}
	return sums
}

// tableChecksum hashes the rows of one table.
func tableChecksum(t *testing.T, db *sqldb.DB, table string) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT * FROM "+db.Quote(table))
	if err != nil {
		t.Fatal(err)
	}
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	order := make([]string, len(cols))
	for i := range cols {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err = db.QueryContext(context.Background(), "SELECT * FROM "+db.Quote(table)+" ORDER BY "+strings.Join(order, ", "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if v == nil {
				h.Write([]byte("NULL|"))
				continue
			}
			fmt.Fprintf(h, "%d:%x|", len(v), []byte(v))
		}
		h.Write([]byte{'\n'})
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d rows %s", n, hex.EncodeToString(h.Sum(nil)))
}
