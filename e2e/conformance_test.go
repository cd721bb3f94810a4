package e2e

import (
	"testing"

	"github.com/tidwall/gjson"
)

// TestConformance replays the scenarios of Apostrophe's tests (docs/api-rules.md#63) that
// the foundation covers, adapted to the shop.
func TestConformance(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		t.Run("C06-C09 paging and sort", func(t *testing.T) {
			r := s.do(t, "GET", "/product?perPage=5&sort[title]=1", adminKey, "")
			expect(t, r, 200, "pages", "7", "results.#", "5")
			first := gjson.Get(r.body, "results.#.title").Array()
			r = s.do(t, "GET", "/product?perPage=5&page=2&sort[title]=1", adminKey, "")
			second := gjson.Get(r.body, "results.#.title").Array()
			if first[4].Str > second[0].Str || first[0].Str == second[0].Str {
				t.Fatalf("pages overlap or are out of order: %v %v", first, second)
			}
			r = s.do(t, "GET", "/product?perPage=5&sort[title]=-1", adminKey, "")
			if desc := gjson.Get(r.body, "results.0.title").Str; desc < first[4].Str {
				t.Fatalf("descending sort starts with %q", desc)
			}
		})
		t.Run("C10 PUT ignores _id in the body", func(t *testing.T) {
			doc := s.do(t, "GET", "/product/P-1005:en:draft", adminKey, "").body
			body, _ := setJSON(doc, "title", "I like cheese")
			body, _ = setJSON(body, "_id", "should-not-change:en:published")
			expect(t, s.do(t, "PUT", "/product/P-1005:en:draft", adminKey, body), 200, "_id", "P-1005:en:draft", "title", "I like cheese")
			expect(t, s.do(t, "GET", "/product/P-1005:en:draft", adminKey, ""), 200, "title", "I like cheese")
		})
		t.Run("C11 prototype pollution guard", func(t *testing.T) {
			expect(t, s.do(t, "PATCH", "/product/P-1005:en:draft", adminKey, `{"toString.call":"x"}`), 400, "name", "invalid")
			expect(t, s.do(t, "PATCH", "/product/P-1005:en:draft", adminKey, `{"__proto__.x":"x"}`), 400, "name", "invalid")
		})
		t.Run("C19 projection", func(t *testing.T) {
			r := s.do(t, "GET", "/product/P-1005:en:published?project[_id]=1&project[title]=1", "", "")
			expect(t, r, 200, "_id", "P-1005:en:published", "type", "product")
			if !gjson.Get(r.body, "title").Exists() || gjson.Get(r.body, "price").Exists() {
				t.Fatalf("projection: %s", r.body)
			}
		})
		t.Run("C21-C22 choices and counts drop unknown names", func(t *testing.T) {
			r := s.do(t, "GET", "/product?choices=title,color,bogus,attributes", adminKey, "")
			if !gjson.Get(r.body, "choices.title.0.label").Exists() || gjson.Get(r.body, "choices.bogus").Exists() ||
				gjson.Get(r.body, "choices.attributes").Exists() {
				t.Fatalf("choices: %s", gjson.Get(r.body, "choices").Raw)
			}
			r = s.do(t, "GET", "/product?counts=color", adminKey, "")
			total := int64(0)
			for _, c := range gjson.Get(r.body, "counts.color.#.count").Array() {
				total += c.Int()
			}
			if total != 33 {
				t.Fatalf("counts add up to %d, want 33: %s", total, gjson.Get(r.body, "counts").Raw)
			}
		})
		t.Run("C34 and C75 API key header and roles", func(t *testing.T) {
			for _, k := range []string{adminKey, editorKey, contributorKey, guestKey} {
				expect(t, s.do(t, "GET", "/product/P-1005:en:published", k, ""), 200)
			}
			r := s.do(t, "GET", "/product/P-1005:en:published?apiKey="+guestKey, "", "")
			expect(t, r, 200)
			expect(t, s.do(t, "GET", "/product/P-1005:en:published", "unknown", ""), 403, "name", "forbidden")
		})
		t.Run("C36 C38 C40 cache headers and 304", func(t *testing.T) {
			r := s.do(t, "GET", "/product/P-1005:en:published", "", "")
			if cc := r.header.Get("Cache-Control"); cc != "" {
				t.Fatalf("anonymous Cache-Control %q", cc)
			}
			r = s.do(t, "GET", "/product/P-1005:en:published", guestKey, "")
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("authenticated Cache-Control %q", cc)
			}
			tag := r.header.Get("ETag")
			r = s.do(t, "GET", "/product/P-1005:en:published", guestKey, "", "If-None-Match", tag)
			if r.status != 304 || r.body != "" || r.header.Get("ETag") != tag {
				t.Fatalf("304: %d %q %q", r.status, r.body, r.header.Get("ETag"))
			}
		})
		t.Run("C85 numeric builders", func(t *testing.T) {
			r := s.do(t, "GET", "/product?price[]=4206&price[]=5259", "", "")
			for _, p := range gjson.Get(r.body, "results.#.price").Array() {
				if p.Int() < 4206 || p.Int() > 5259 {
					t.Fatalf("price %d outside the range", p.Int())
				}
			}
			expect(t, s.do(t, "GET", "/product?price=5259&count=1", "", ""), 200, "count", "1")
			expect(t, s.do(t, "GET", "/product?price[]=1&price[]=2&count=1", "", ""), 200, "count", "0")
		})
	})
}
