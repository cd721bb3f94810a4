package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestHostilePatch drives PATCH bodies that would make the server build
// huge documents or do quadratic work: each is refused with a 400 naming
// the path, or completes, and none changes the stored document when
// refused.
func TestHostilePatch(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		path := "/product/P-1002:en:draft"
		patch := func(body string) response { return s.do(t, "PATCH", path, contributorKey, body) }
		refused := func(t *testing.T, r response, field string) {
			t.Helper()
			expect(t, r, 400, "name", "invalid", "data.errors.0.path", field, "data.errors.0.name", "invalid")
		}
		// attributes.a holds 100 empty arrays, each one an index to pad.
		empties := strings.TrimSuffix(strings.Repeat("[],", 100), ",")
		expect(t, patch(`{"attributes":{"tags":["a","b"],"a":[`+empties+`]}}`), 200)
		before := s.do(t, "GET", path, contributorKey, "").body

		t.Run("an index far past the end", func(t *testing.T) {
			refused(t, patch(`{"attributes.tags.99999":1}`), "attributes.tags.99999")
			refused(t, patch(`{"attributes.a.0.99999":1}`), "attributes.a.0.99999")
		})
		t.Run("many padding keys", func(t *testing.T) {
			var b strings.Builder
			b.WriteString("{")
			for i := range 100 {
				fmt.Fprintf(&b, `"attributes.a.%d.99999":1,`, i)
			}
			b.WriteString(`"title":"padded"}`)
			refused(t, patch(b.String()), "attributes.a.0.99999")
		})
		t.Run("an index into a field that is still empty", func(t *testing.T) {
			refused(t, s.do(t, "PATCH", "/product/P-1003:en:draft", contributorKey, `{"attributes":null,"attributes.x.5":1}`), "attributes.x.5")
		})
		t.Run("a path deeper than the depth limit", func(t *testing.T) {
			key := "attributes" + strings.Repeat(".a", 100)
			refused(t, patch(`{"attributes":null,"`+key+`":1}`), key)
		})
		if after := s.do(t, "GET", path, contributorKey, "").body; after != before {
			t.Fatalf("a refused patch changed the document:\n%s\n%s", before, after)
		}
		t.Run("appending one past the end is allowed", func(t *testing.T) {
			expect(t, patch(`{"attributes.tags.2":"c","attributes.a.100":[1],"attributes.a.0.0":2}`), 200,
				"attributes.tags", `["a","b","c"]`, "attributes.a.0", `[2]`, "attributes.a.100", `[1]`)
		})
		t.Run("documents cannot grow past the body limit", func(t *testing.T) {
			big := strings.Repeat("x", 600_000)
			expect(t, patch(`{"attributes.big1":"`+big+`"}`), 200)
			refused(t, patch(`{"attributes.big2":"`+big+`"}`), "attributes.big2")
			expect(t, patch(`{"attributes.big1":null}`), 200)
		})
		t.Run("a huge $pullAll completes", func(t *testing.T) {
			tags := make([]string, 100_000)
			for i := range tags {
				tags[i] = fmt.Sprint(i % 1000)
			}
			expect(t, patch(`{"attributes.tags":[`+strings.Join(tags, ",")+`]}`), 200)
			drop := make([]string, 200)
			for i := range drop {
				drop[i] = fmt.Sprint(i)
			}
			r := patch(`{"$pullAll":{"attributes.tags":[` + strings.Join(drop, ",") + `]}}`)
			expect(t, r, 200, "attributes.tags.#", "80000", "attributes.tags.0", "200")
		})
	})
}

// TestHostilePage asks for a page whose offset does not fit in 64 bits.
func TestHostilePage(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		for _, page := range []string{"9223372036854775807", "99999999999999999999", "184467440737095517"} {
			expect(t, s.do(t, "GET", "/product?page="+page, "", ""), 400, "name", "invalid")
		}
		expect(t, s.do(t, "GET", "/product?page=9223372036854776&perPage=1000", "", ""), 400, "name", "invalid")
		expect(t, s.do(t, "GET", "/product?page=9223372036854775&perPage=1", "", ""), 200,
			"currentPage", "9223372036854775", "results.#", "0")
	})
}

// TestHostileIntegers sends integers beyond the columns' types: 400
// naming the field on every engine whose column is narrower than 64 bits,
// and never a 500.
func TestHostileIntegers(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		narrow := !strings.HasSuffix(t.Name(), "sqlite") // INTEGER is 64 bits in SQLite
		want := func(t *testing.T, r response, field string) {
			t.Helper()
			if !narrow {
				if r.status >= 500 {
					t.Fatalf("status %d; body %s", r.status, r.body)
				}
				return
			}
			expect(t, r, 400, "name", "invalid")
			if !strings.Contains(r.body, field) {
				t.Fatalf("the error does not name %s: %s", field, r.body)
			}
		}
		t.Run("filter", func(t *testing.T) {
			want(t, s.do(t, "GET", "/product?price=2147483648", "", ""), "price")
			want(t, s.do(t, "GET", "/product?price[]=1&price[]=2147483648", "", ""), "price")
			want(t, s.do(t, "GET", "/product?price=-2147483649", "", ""), "price")
			expect(t, s.do(t, "GET", "/product?price=2147483647", "", ""), 200, "results.#", "0")
		})
		t.Run("writes", func(t *testing.T) {
			want(t, s.do(t, "POST", "/product", editorKey, `{"title":"Big","price":2147483648}`), "price")
			want(t, s.do(t, "PATCH", "/product/P-1002:en:draft", editorKey, `{"price":2147483648}`), "price")
			want(t, s.do(t, "PUT", "/product/P-1002:en:draft", editorKey, `{"title":"Big","price":"2147483648"}`), "price")
			expect(t, s.do(t, "PATCH", "/product/P-1002:en:draft", editorKey, `{"price":2147483647}`), 200, "price", "2147483647")
		})
		t.Run("ids of an integer key", func(t *testing.T) {
			// No record has a key its column cannot hold.
			expect(t, s.do(t, "GET", "/category/2147483648", "", ""), 404, "name", "notfound")
			expect(t, s.do(t, "PATCH", "/category/2147483648", editorKey, `{"title":"x"}`), 404, "name", "notfound")
			expect(t, s.do(t, "GET", "/category?_ids[]=2147483648&_ids[]=3", "", ""), 200, "results.#", "1")
			expect(t, s.do(t, "POST", "/category", editorKey, `{"title":"x","_createId":"9223372036854775808"}`), 400, "name", "invalid")
			if narrow {
				expect(t, s.do(t, "POST", "/category", editorKey, `{"title":"x","_createId":"2147483648"}`), 400, "name", "invalid")
			}
		})
		t.Run("declared route parameter", func(t *testing.T) {
			// PostgreSQL types the parameter as its column's int4; MySQL
			// and SQLite compare any integer, and find no such customer.
			r := s.merge(t, editorKey, 2147483648, 5)
			if strings.HasSuffix(t.Name(), "postgres/declared_route_parameter") {
				expect(t, r, 400, "name", "invalid", "data.errors.0.path", "from")
				return
			}
			expect(t, r, 404, "name", "notfound")
		})
	})
}
