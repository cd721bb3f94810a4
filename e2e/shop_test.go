package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// expect checks a response's status and, for each gjson path, its value.
func expect(t *testing.T, r response, status int, pairs ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		got := gjson.Get(r.body, pairs[i])
		if got.String() != pairs[i+1] && got.Raw != pairs[i+1] {
			t.Fatalf("%s = %s, want %s; body %s", pairs[i], got.Raw, pairs[i+1], r.body)
		}
	}
}

func TestShopReads(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		t.Run("anonymous list of published English products", func(t *testing.T) {
			r := s.do(t, "GET", "/product?perPage=10", "", "")
			expect(t, r, 200, "pages", "4", "currentPage", "1", "results.#", "10",
				"results.0.aposMode", "published", "results.0.aposLocale", "en:published",
				"results.0.type", "product", "results.0.metaType", "doc")
			if r.header.Get("ETag") == "" || r.header.Get("Cache-Control") == "no-store" {
				t.Fatalf("anonymous GET headers: %v", r.header)
			}
			if gjson.Get(r.body, "results.0._edit").Exists() {
				t.Fatal("anonymous callers get no permission annotations")
			}
		})
		t.Run("one product in French", func(t *testing.T) {
			r := s.do(t, "GET", "/product/P-1004:fr:published", "", "")
			expect(t, r, 200, "_id", "P-1004:fr:published", "aposDocId", "P-1004", "title", "Table Lumineux",
				"price", "16221", "color", "white", "inStock", "false", "attributes.weight_g", "19005",
				"slug", "table-lumineux")
			r = s.do(t, "GET", "/product/P-1004?aposLocale=fr", "", "")
			expect(t, r, 200, "_id", "P-1004:fr:published")
			r = s.do(t, "GET", "/product/P-1004:en:published?apos-locale=fr", "", "")
			expect(t, r, 200, "_id", "P-1004:fr:published")
		})
		t.Run("draft needs a contributor", func(t *testing.T) {
			expect(t, s.do(t, "GET", "/product?aposMode=draft", "", ""), 403, "name", "forbidden")
			expect(t, s.do(t, "GET", "/product/P-1001:en:draft", guestKey, ""), 403, "name", "forbidden")
			r := s.do(t, "GET", "/product/P-1001:en:draft", contributorKey, "")
			expect(t, r, 200, "aposMode", "draft", "modified", "false", "_edit", "true")
			if r.header.Get("Cache-Control") != "no-store" {
				t.Fatal("authenticated GET must be no-store")
			}
			if gjson.Get(r.body, "_publish").Exists() {
				t.Fatal("contributors cannot publish")
			}
			r = s.do(t, "GET", "/product?aposMode=draft&perPage=1", editorKey, "")
			expect(t, r, 200, "pages", "40")
		})
		t.Run("list parameters", func(t *testing.T) {
			expect(t, s.do(t, "GET", "/product?count=1", "", ""), 200, "count", "33")
			expect(t, s.do(t, "GET", "/product?count=1&aposLocale=fr", "", ""), 200, "count", "21")
			r := s.do(t, "GET", "/product?sort[price]=-1&perPage=2&project[title]=1&project[price]=1", "", "")
			expect(t, r, 200, "results.#", "2")
			p0, p1 := gjson.Get(r.body, "results.0.price").Int(), gjson.Get(r.body, "results.1.price").Int()
			if p0 < p1 || gjson.Get(r.body, "results.0.color").Exists() {
				t.Fatalf("sort or projection ignored: %s", r.body)
			}
			r = s.do(t, "GET", "/product?color[]=red&color[]=blue&perPage=100", "", "")
			for _, c := range gjson.Get(r.body, "results.#.color").Array() {
				if c.Str != "red" && c.Str != "blue" {
					t.Fatalf("color filter let %s through", c.Str)
				}
			}
			r = s.do(t, "GET", "/product?_ids[]=P-1003&_ids[]=P-1001&_ids[]=P-1002", "", "")
			expect(t, r, 200, "results.#", "3", "results.0.aposDocId", "P-1003", "results.1.aposDocId", "P-1001")
			r = s.do(t, "GET", "/product?search=SOFA&perPage=100", "", "")
			results := gjson.Get(r.body, "results").Array()
			if len(results) == 0 {
				t.Fatalf("search found nothing: %s", r.body)
			}
			for _, res := range results {
				if txt := strings.ToLower(res.Get("title").Str + " " + res.Get("description").Str); !strings.Contains(txt, "sofa") {
					t.Fatalf("search let %s through", res.Get("title").Str)
				}
			}
			r = s.do(t, "GET", "/product?price[]=1000&price[]=5000&perPage=100", "", "")
			for _, p := range gjson.Get(r.body, "results.#.price").Array() {
				if p.Int() < 1000 || p.Int() > 5000 {
					t.Fatalf("range filter let %d through", p.Int())
				}
			}
			r = s.do(t, "GET", "/product?choices=color&counts=color", "", "")
			if !gjson.Get(r.body, "counts.color.0.count").Exists() || gjson.Get(r.body, "counts.color.0.label").Str == "" {
				t.Fatalf("counts missing: %s", r.body[len(r.body)-300:])
			}
			expect(t, s.do(t, "GET", "/product?page=99", "", ""), 200, "currentPage", "99", "results.#", "0")
			expect(t, s.do(t, "GET", "/product?perPage=100000", "", ""), 200, "pages", "1")
		})
		t.Run("unlocalized and autopublish types", func(t *testing.T) {
			expect(t, s.do(t, "GET", "/category/3", "", ""), 200, "_id", "3", "title", "Chairs", "parentId", "1")
			if r := s.do(t, "GET", "/category/3", "", ""); gjson.Get(r.body, "aposLocale").Exists() {
				t.Fatal("unlocalized documents have no aposLocale")
			}
			expect(t, s.do(t, "GET", "/category/3:en:published", "", ""), 404, "name", "notfound")
			expect(t, s.do(t, "GET", "/article/1:en:draft", editorKey, ""), 200, "modified", "false", "title", "Choosing a desk, part 1")
			expect(t, s.do(t, "GET", "/article/1:en:published", "", ""), 200, "publishedOn", "2025-04-17")
		})
		t.Run("ETag and If-None-Match", func(t *testing.T) {
			r := s.do(t, "GET", "/product/P-1001:en:published", "", "")
			tag := r.header.Get("ETag")
			if !strings.HasPrefix(tag, `"`) {
				t.Fatalf("ETag %q is not strong", tag)
			}
			r = s.do(t, "GET", "/product/P-1001:en:published", "", "", "If-None-Match", tag)
			if r.status != 304 || r.body != "" {
				t.Fatalf("If-None-Match: %d %q", r.status, r.body)
			}
		})
	})
}

func TestShopWrites(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		var id string
		t.Run("create in published mode makes the draft too", func(t *testing.T) {
			r := s.do(t, "POST", "/product", editorKey, `{"title":"Oak Stool","price":4500,"color":"black","attributes":{"tags":["stool"]}}`)
			expect(t, r, 200, "aposMode", "published", "title", "Oak Stool", "price", "4500", "slug", "oak-stool", "inStock", "false")
			id = gjson.Get(r.body, "aposDocId").Str
			if len(id) != 24 || gjson.Get(r.body, "createdAt").Str == "" {
				t.Fatalf("new id %q or createdAt missing: %s", id, r.body)
			}
			expect(t, s.do(t, "GET", "/product/"+id+":en:draft", editorKey, ""), 200, "title", "Oak Stool", "modified", "false")
		})
		t.Run("contributors write drafts only", func(t *testing.T) {
			expect(t, s.do(t, "POST", "/product", contributorKey, `{"title":"x","price":1}`), 403, "name", "forbidden")
			expect(t, s.do(t, "POST", "/product", "", `{"title":"x","price":1}`), 403, "name", "forbidden")
			r := s.do(t, "POST", "/product?aposMode=draft", contributorKey, `{"title":"Draft Only","price":100}`)
			expect(t, r, 200, "aposMode", "draft", "modified", "true")
			did := gjson.Get(r.body, "aposDocId").Str
			expect(t, s.do(t, "GET", "/product/"+did+":en:published", editorKey, ""), 404, "name", "notfound")
			expect(t, s.do(t, "PATCH", "/product/"+id+":en:published", contributorKey, `{"price":1}`), 403, "name", "forbidden")
		})
		t.Run("patch the draft only", func(t *testing.T) {
			r := s.do(t, "PATCH", "/product/"+id+":en:draft", contributorKey, `{"price":4999,"attributes.tags.1":"oak","$push":{"attributes.tags":"sale"}}`)
			expect(t, r, 200, "price", "4999", "modified", "true", "attributes.tags", `["stool","oak","sale"]`)
			expect(t, s.do(t, "GET", "/product/"+id+":en:published", "", ""), 200, "price", "4500")
			r = s.do(t, "PATCH", "/product/"+id+":en:draft", contributorKey, `{"_patches":[{"$pullAll":{"attributes.tags":["oak"]}},{"description":"Solid oak."}]}`)
			expect(t, r, 200, "attributes.tags", `["stool","sale"]`, "description", "Solid oak.")
		})
		t.Run("put replaces and If-Match guards", func(t *testing.T) {
			r := s.do(t, "GET", "/product/"+id+":en:published", editorKey, "")
			tag := r.header.Get("ETag")
			put := `{"title":"Oak Stool II","price":4600,"_id":"should-not-change:en:published","slug":"ignored"}`
			expect(t, s.do(t, "PUT", "/product/"+id+":en:published", editorKey, put, "If-Match", `"stale"`), 412, "name", "conflict")
			expect(t, s.do(t, "GET", "/product/"+id+":en:published", "", ""), 200, "title", "Oak Stool")
			r = s.do(t, "PUT", "/product/"+id+":en:published", editorKey, put, "If-Match", tag)
			expect(t, r, 200, "_id", id+":en:published", "title", "Oak Stool II", "color", "null", "attributes", "null")
		})
		t.Run("bad input is refused and changes nothing", func(t *testing.T) {
			path := "/product/" + id + ":en:published"
			before := s.do(t, "GET", path, "", "").body
			for _, c := range []struct{ body, want string }{
				{`{"title": `, "invalid"},
				{`{"price":"abc"}`, "price"},
				{`{"price":12.5}`, "price"},
				{`{"color":"purple"}`, "color"},
				{`{"nosuchfield":1}`, "nosuchfield"},
				{`{"title":""}`, "title"},
				{`[1,2]`, "invalid"},
				{`{"title":"x'; DROP TABLE products; --","price":"1 OR 1=1"}`, "price"},
			} {
				r := s.do(t, "PATCH", path, editorKey, c.body)
				if r.status != 400 || gjson.Get(r.body, "name").Str != "invalid" || !strings.Contains(r.body, c.want) {
					t.Fatalf("PATCH %s: %d %s", c.body, r.status, r.body)
				}
			}
			expect(t, s.do(t, "POST", "/product", editorKey, `{"price":10}`), 400,
				"data.errors.0.name", "required", "data.errors.0.code", "422", "data.errors.0.path", "title")
			if after := s.do(t, "GET", path, "", "").body; after != before {
				t.Fatalf("a refused write changed the document:\n%s\n%s", before, after)
			}
			for _, q := range []string{
				"/product/" + url.PathEscape(`a'b:en:published`),
				"/product/" + url.PathEscape(`a:b:c:d`),
				"/product/" + url.PathEscape(`P-1001:en:previous`),
				"/product/" + url.PathEscape(`P-1001:xx:published`),
				"/product/" + url.PathEscape(`" OR 1=1 --`),
			} {
				expect(t, s.do(t, "GET", q, editorKey, ""), 404, "name", "notfound")
			}
			expect(t, s.do(t, "GET", "/product?sort[nosuch]=1", "", ""), 400, "name", "invalid")
			expect(t, s.do(t, "GET", "/product?price=1%20OR%201=1", "", ""), 400, "name", "invalid")
			expect(t, s.do(t, "GET", "/product?title="+url.QueryEscape("' OR '1'='1")+"&search="+url.QueryEscape("%' --"), "", ""), 200, "results.#", "0")
			expect(t, s.do(t, "GET", "/product?apikey=wrong", "", ""), 403, "name", "forbidden")
			expect(t, s.do(t, "GET", "/nosuchtype", "", ""), 404, "name", "notfound")
			expect(t, s.do(t, "POST", "/order", editorKey, `{"customerId":1,"total":5,"placedAt":"2025-01-01T00:00:00Z"}`), 403, "name", "forbidden")
		})
		t.Run("unlocalized writes", func(t *testing.T) {
			r := s.do(t, "POST", "/category", editorKey, `{"title":"Garden","parentId":6}`)
			expect(t, r, 200, "title", "Garden")
			cid := gjson.Get(r.body, "_id").Str
			expect(t, s.do(t, "PATCH", "/category/"+cid, editorKey, `{"title":"Garden tools"}`), 200, "title", "Garden tools")
			expect(t, s.do(t, "POST", "/category", editorKey, `{"title":"Orphan","parentId":999999}`), 400, "name", "invalid")
			expect(t, s.do(t, "DELETE", "/category/"+cid, editorKey, ""), 200)
			expect(t, s.do(t, "GET", "/category/"+cid, "", ""), 404, "name", "notfound")
		})
		t.Run("delete the draft deletes the published copy", func(t *testing.T) {
			expect(t, s.do(t, "DELETE", "/product/"+id+":en:draft", contributorKey, ""), 403, "name", "forbidden")
			r := s.do(t, "DELETE", "/product/"+id+":en:draft", editorKey, "")
			if r.status != 200 || r.body != "" {
				t.Fatalf("DELETE: %d %q", r.status, r.body)
			}
			expect(t, s.do(t, "GET", "/product/"+id+":en:published", "", ""), 404, "name", "notfound")
			expect(t, s.do(t, "DELETE", "/product/"+id+":en:draft", editorKey, ""), 404, "name", "notfound")
		})
	})
}

func TestShopTransport(t *testing.T) {
	s := startShop(t, testkit.SQLite)
	t.Run("body over the limit is 413", func(t *testing.T) {
		// A raw connection announces a body over the limit and sends only
		// its first 8 KiB, what the server reads before the handler runs
		// (request bodies are streams): the front door refuses on the
		// declared length, and the answer cannot be raced by a reset of a
		// half-sent body.
		conn, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(s.base, "/api/v1"), "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(conn, "POST /api/v1/product HTTP/1.1\r\nHost: x\r\nAuthorization: ApiKey %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", editorKey, 2<<20, strings.Repeat("x", 8<<10))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		expect(t, response{status: resp.StatusCode, body: string(body)}, 413, "name", "invalid")
	})
	t.Run("HEAD has headers and no body", func(t *testing.T) {
		r := s.do(t, "HEAD", "/product/P-1001:en:published", "", "")
		if r.status != 200 || r.body != "" || r.header.Get("ETag") == "" {
			t.Fatalf("HEAD: %d %q %v", r.status, r.body, r.header)
		}
	})
	t.Run("CORS preflight", func(t *testing.T) {
		r := s.do(t, "OPTIONS", "/product", "", "", "Origin", "http://example.test",
			"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
		if r.status != 204 || !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "PATCH") {
			t.Fatalf("preflight: %d %v", r.status, r.header)
		}
	})
	t.Run("JSON sent without a content type", func(t *testing.T) {
		r := s.do(t, "PATCH", "/product/P-1003:en:draft", editorKey, `{"price":"abc"}`, "Content-Type", "application/x-www-form-urlencoded")
		expect(t, r, 400, "data.errors.0.path", "price")
		r = s.do(t, "PATCH", "/product/P-1003:en:draft", editorKey, "title=Form+Title&price=12", "Content-Type", "application/x-www-form-urlencoded")
		expect(t, r, 200, "title", "Form Title", "price", "12")
	})
}
