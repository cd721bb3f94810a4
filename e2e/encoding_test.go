package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// TestEncodedIDs drives the shop's route families with percent-encoded
// path parameters, as clients generated from Apostrophe's OpenAPI
// description send them (docs/api-rules.md#64), next to the raw ones; and
// checks that Apostrophe's unserved routes are 501 (#65) and that every
// answer has a request id a browser may read (#54, #66).
func TestEncodedIDs(t *testing.T) {
	t.Parallel()
	s := startShop(t, testkit.SQLite)
	t.Run("types", func(t *testing.T) {
		expect(t, s.do(t, "GET", "/product/P-1004%3Afr%3Apublished", "", ""), 200, "_id", "P-1004:fr:published")
		expect(t, s.do(t, "GET", "/product/P-1004:fr:published", "", ""), 200, "_id", "P-1004:fr:published")
		expect(t, s.do(t, "GET", "/product/P-1004%3Aen%3Adraft", "", ""), 403, "name", "forbidden")
		r := s.do(t, "GET", "/product/P-1004%3Aen%3Adraft", editorKey, "")
		expect(t, r, 200, "_id", "P-1004:en:draft")
		body, _ := setJSON(r.body, "title", "Bright Table (encoded)")
		expect(t, s.do(t, "PUT", "/product/P-1004%3Aen%3Adraft", editorKey, body, "If-Match", r.header.Get("ETag")), 200,
			"title", "Bright Table (encoded)")
		expect(t, s.do(t, "PATCH", "/product/P-1004%3Aen%3Adraft", editorKey, `{"$push":{"attributes.tags":"oiled"}}`), 200,
			"_id", "P-1004:en:draft", "attributes.tags.2", "oiled")
		expect(t, s.do(t, "GET", "/product/P-1004%2Flocales", editorKey, ""), 404, "name", "notfound")
		expect(t, s.do(t, "GET", "/product/P-1004%253Aen%253Adraft", editorKey, ""), 404, "name", "notfound")
	})
	t.Run("workflow", func(t *testing.T) {
		expect(t, s.do(t, "POST", "/product/P-1004%3Aen%3Adraft/publish", editorKey, ""), 200, "_id", "P-1004:en:draft", "modified", "false")
		expect(t, s.do(t, "GET", "/product/P-1004%3Aen%3Apublished", "", ""), 200, "title", "Bright Table (encoded)")
		expect(t, s.do(t, "GET", "/product/P-1004%3Aen%3Apublished/locales", editorKey, ""), 200, "results.0._id", "P-1004:en:published")
		expect(t, s.do(t, "POST", "/product/P-1004%3Aen%3Adraft/unpublish", editorKey, ""), 200, "_id", "P-1004:en:draft")
	})
	t.Run("delete", func(t *testing.T) {
		r := s.do(t, "POST", "/product?aposMode=draft", editorKey, `{"title":"Encoded Stool","price":100}`)
		id := gjson.Get(r.body, "_id").Str
		expect(t, s.do(t, "DELETE", "/product/"+url.PathEscape(id), editorKey, ""), 200)
		expect(t, s.do(t, "GET", "/product/"+url.PathEscape(id), editorKey, ""), 404, "name", "notfound")
	})
	t.Run("batch and job", func(t *testing.T) {
		id := startJob(t, s, "/product/publish", `{"_ids":["P-1006:en:draft"]}`)
		encoded := fmt.Sprintf("%%%02X", id[0]) + id[1:]
		expect(t, s.do(t, "GET", "/@apostrophecms/job/"+encoded, editorKey, ""), 200, "_id", id)
	})
	t.Run("declared route", func(t *testing.T) {
		raw := s.do(t, "GET", "/customer/7/orders", editorKey, "")
		expect(t, raw, 200)
		expect(t, s.do(t, "GET", "/customer/%37/orders", editorKey, ""), 200, "@this", raw.body)
	})
	t.Run("malformed escapes", func(t *testing.T) {
		for _, req := range [][2]string{{"GET", "/product/P-1004%E0%A4%A"}, {"POST", "/product/P-1004%zz/publish"},
			{"GET", "/customer/%zz/orders"}, {"GET", "/@apostrophecms/job/%"}} {
			status, body := rawRequest(t, s, req[0], req[1])
			if status != 400 || gjson.Get(body, "name").Str != "invalid" {
				t.Errorf("%s %s: %d %s", req[0], req[1], status, body)
			}
		}
	})
	t.Run("unimplemented", func(t *testing.T) {
		expect(t, s.do(t, "POST", "/@apostrophecms/image/autocrop", editorKey, "{}"), 501,
			"name", "unimplemented", "data.route", "POST /api/v1/@apostrophecms/image/autocrop")
		expect(t, s.do(t, "POST", "/category/1/share", editorKey, "{}"), 501,
			"name", "unimplemented", "data.route", "POST /api/v1/category/{_id}/share")
		expect(t, s.do(t, "GET", "/nosuchtype", "", ""), 404, "name", "notfound")
	})
	t.Run("request id and exposed headers", func(t *testing.T) {
		r := s.do(t, "GET", "/product/P-1004", "", "", "Origin", "https://shop.example", "X-Request-Id", "trace-42")
		if r.header.Get("X-Request-Id") != "trace-42" || r.header.Get("Access-Control-Expose-Headers") != "ETag, X-Request-Id" {
			t.Fatalf("headers %v", r.header)
		}
		one, two := s.do(t, "GET", "/nosuch", "", ""), s.do(t, "GET", "/nosuch", "", "")
		if a, b := one.header.Get("X-Request-Id"), two.header.Get("X-Request-Id"); a == "" || a == b {
			t.Fatalf("request ids %q %q", a, b)
		}
	})
}

// rawRequest sends a request line as written, which net/http refuses to
// do for a malformed escape.
func rawRequest(t *testing.T, s *shop, method, path string) (int, string) {
	t.Helper()
	u, err := url.Parse(s.base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s %s%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", method, u.Path, path, u.Host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
