package e2e

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/tidwall/gjson"
)

// TestRelationships reads and writes the shop's relationships as a new
// user would (docs/api-rules.md#170 to #175), on every engine: Apostrophe's
// checks C15, C18, C20 and C23 adapted to the shop's types.
func TestRelationships(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		t.Run("C18 lists", func(t *testing.T) { relLists(t, s) })
		t.Run("C20 locale and mode", func(t *testing.T) { relScopes(t, s) })
		t.Run("C15 C23 writes", func(t *testing.T) { relWrites(t, s) })
		t.Run("draft links", func(t *testing.T) { relDrafts(t, s) })
		t.Run("overlay draft links", func(t *testing.T) { relOverlayDrafts(t, s) })
		t.Run("rollback and delete", func(t *testing.T) { relRollback(t, s) })
	})
}

// relLists: every article of a page carries its products, in order, with
// _fields.relevance; a product its category; skipping them works.
func relLists(t *testing.T, s *shop) {
	r := s.do(t, "GET", "/article?perPage=50", "", "")
	expect(t, r, 200)
	n := 0
	for _, a := range gjson.Get(r.body, "results").Array() {
		if !a.Get("_products").IsArray() || !a.Get("productsIds").IsArray() {
			t.Fatalf("article without _products: %s", a.Raw)
		}
		n += len(a.Get("_products").Array())
		if a.Get("aposDocId").Str == "2" {
			got := a.Get("_products.#._id").Raw + " " + a.Get("_products.#._fields.relevance").Raw
			if got != `["P-1026:en:published","P-1001:en:published","P-1033:en:published"] ["compared","featured","featured"]` {
				t.Fatalf("article 2's products: %s", got)
			}
			if a.Get("productsFields.P-1026.relevance").Str != "compared" || a.Get("_products.0.description").Exists() {
				t.Fatalf("article 2: storage members or projection: %s", a.Raw)
			}
		}
	}
	if n != 28 { // the fixture's 30, but P-1013 and P-1019 have no English live row
		t.Fatalf("%d links in the list, want 28", n)
	}
	r = s.do(t, "GET", "/product?perPage=3&sort[title]=1", "", "")
	expect(t, r, 200, "results.0.categoryIds.0", gjson.Get(r.body, "results.0.categoryId").Raw)
	if gjson.Get(r.body, "results.0._category.0.title").Str == "" || gjson.Get(r.body, "results.0._articles").Exists() {
		t.Fatalf("product list: _category loaded, _articles not (in_lists = false): %s", r.body)
	}
	r = s.do(t, "GET", "/article?perPage=5&withRelationships=false", "", "")
	expect(t, r, 200)
	if strings.Contains(r.body, "_products") {
		t.Fatalf("withRelationships=false still loads them: %.300s", r.body)
	}
	// A key that names nothing gives an empty array (the shop's foreign
	// keys forbid one; a null key is the case they allow).
	expect(t, s.do(t, "PATCH", "/product/P-1002:en:published", adminKey, `{"categoryId":null}`), 200, "_category", "[]", "categoryIds", "[]")
	// Guests read orders and their customers; anonymous callers neither.
	expect(t, s.do(t, "GET", "/order?perPage=1", guestKey, ""), 200, "results.0._customer.0.type", "customer")
	expect(t, s.do(t, "GET", "/order?perPage=1", "", ""), 404)
}

// relScopes: related documents follow the request's locale and mode.
func relScopes(t *testing.T, s *shop) {
	expect(t, s.do(t, "GET", "/article/2:en:draft", contributorKey, ""), 200,
		"_products.0._id", "P-1026:en:draft", "_products.0.aposMode", "draft")
	expect(t, s.do(t, "GET", "/article/2:en:draft", "", ""), 403, "name", "forbidden")
	r := s.do(t, "GET", "/category/3?aposLocale=fr", "", "")
	expect(t, r, 200)
	if !strings.Contains(gjson.Get(r.body, "_products.#.title").Raw, "Banc Velours") ||
		gjson.Get(r.body, "_products.0.aposLocale").Str != "fr:published" {
		t.Fatalf("category 3 in French: %s", gjson.Get(r.body, "_products").Raw)
	}
	r = s.do(t, "GET", "/product/P-1001:en:published", "", "")
	expect(t, r, 200)
	if got := gjson.Get(r.body, "_articles.#.aposDocId").Raw; got != `["2","16"]` {
		t.Fatalf("P-1001's articles (reverse of the join table): %s", got)
	}
}

// relWrites: POST, PATCH and PUT with relationships.
func relWrites(t *testing.T, s *shop) {
	body := `{"title":"Benches compared","_products":[{"_id":"P-1005:en:published","_fields":{"relevance":"top","bogus":1}},"Nordic Shelf",{"_id":"nosuch:en:published"},{"_id":"P-1001:en:draft"}]}`
	r := s.do(t, "POST", "/article", adminKey, body)
	expect(t, r, 200, "productsIds.0", "P-1005", "productsFields.P-1005.relevance", "top", "_products.#", "2",
		"_products.1._id", "P-1002:en:published", "_products.0._fields", `{"relevance":"top"}`)
	id := gjson.Get(r.body, "aposDocId").Str
	expect(t, s.do(t, "GET", "/article/"+id, "", ""), 200, "_products.1.title", "Nordic Shelf")
	// PATCH replaces the links and leaves the rest alone (C23).
	r = s.do(t, "PATCH", "/article/"+id+":en:published", adminKey, `{"_products":["P-1003"]}`)
	expect(t, r, 200, "productsIds", `["P-1003"]`, "_products.0._id", "P-1003:en:published", "title", "Benches compared")
	// A key field's relationship writes the key field.
	r = s.do(t, "PATCH", "/product/P-1005:en:published", adminKey, `{"_category":[{"_id":"2"}]}`)
	expect(t, r, 200, "categoryId", "2", "_category.0._id", "2", "title", "Velvet Bench")
	expect(t, s.do(t, "PATCH", "/product/P-1005:en:published", adminKey, `{"_category":["1","2"]}`), 400,
		"name", "invalid", "data.errors.0.name", "max", "data.errors.0.path", "_category")
	expect(t, s.do(t, "GET", "/product/P-1005:en:published", "", ""), 200, "categoryId", "2")
	// PUT without _category keeps it; reverse relationships are read-only.
	r = s.do(t, "GET", "/product/P-1005:en:published", adminKey, "")
	expect(t, s.do(t, "PUT", "/product/P-1005:en:published", adminKey, r.body), 200, "categoryId", "2")
	expect(t, s.do(t, "PATCH", "/category/2", adminKey, `{"_products":["P-1001"]}`), 200)
	expect(t, s.do(t, "GET", "/product/P-1001:en:published", "", ""), 200, "categoryId", gjson.Get(s.do(t, "GET", "/product/P-1001:en:published", "", "").body, "categoryId").Raw)
}

// relDrafts: a draft's key-field link changes alone, and reaches the
// published row when the draft is published.
func relDrafts(t *testing.T, s *shop) {
	r := s.do(t, "PATCH", "/product/P-1004:en:draft", contributorKey, `{"_category":[{"_id":"5"}]}`)
	expect(t, r, 200, "_category.0.title", "Lamps", "modified", "true")
	pub := s.do(t, "GET", "/product/P-1004:en:published", "", "")
	if gjson.Get(pub.body, "categoryId").Int() == 5 {
		t.Fatalf("the published product changed with its draft: %s", pub.body)
	}
	expect(t, s.do(t, "POST", "/product/P-1004:en:draft/publish", editorKey, ""), 200)
	expect(t, s.do(t, "GET", "/product/P-1004:en:published", "", ""), 200, "categoryId", "5", "_category.0.title", "Lamps")
}

// relOverlayDrafts: an overlay type's draft links live in the proxy's
// store and reach the join table only when the draft is published
// (docs/api-rules.md#176); revert and localize carry them, and reverse
// relationships read in draft mode see them (#177).
func relOverlayDrafts(t *testing.T, s *shop) {
	const old = "P-1026:compared,P-1001:featured,P-1033:featured"
	if got := joinRows(t, s, 2); got != old {
		t.Fatalf("article 2's rows before: %s", got)
	}
	r := s.do(t, "PATCH", "/article/2:en:draft", contributorKey,
		`{"title":"Workshop, with benches","_products":[{"_id":"P-1005:en:draft","_fields":{"relevance":"top"}},"P-1002"]}`)
	expect(t, r, 200, "_products.#._id", `["P-1005:en:draft","P-1002:en:draft"]`, "_products.0._fields.relevance", "top",
		"productsIds", `["P-1005","P-1002"]`, "_products.1._fields.relevance", "null")
	if got := joinRows(t, s, 2); got != old {
		t.Fatalf("a draft write reached article_products: %s", got)
	}
	expect(t, s.do(t, "GET", "/article/2", "", ""), 200, "productsIds", `["P-1026","P-1001","P-1033"]`)
	r = s.do(t, "GET", "/article?aposMode=draft&perPage=50&withPublished=1", contributorKey, "")
	expect(t, r, 200)
	for _, a := range gjson.Get(r.body, "results").Array() {
		if a.Get("aposDocId").Str == "2" && (a.Get("_publishedDoc.productsIds").Raw != `["P-1026","P-1001","P-1033"]` ||
			a.Get("_publishedDoc._products.0._id").Str != "P-1026:en:published") {
			t.Fatalf("draft list: article 2's _publishedDoc has %s", a.Get("_publishedDoc").Raw)
		}
		if id := a.Get("aposDocId").Str; id == "2" && a.Get("productsIds").Raw != `["P-1005","P-1002"]` ||
			id == "3" && a.Get("productsIds").Raw != gjson.Get(s.do(t, "GET", "/article/3", "", "").body, "productsIds").Raw {
			t.Fatalf("draft list: article %s has %s", id, a.Get("productsIds").Raw)
		}
	}
	// Reverse relationships in draft mode read the drafts' links.
	if got := gjson.Get(s.do(t, "GET", "/product/P-1005:en:draft", contributorKey, "").body, "_articles.#.aposDocId").Raw; !strings.Contains(got, `"2"`) {
		t.Fatalf("P-1005's draft articles: %s", got)
	}
	if got := gjson.Get(s.do(t, "GET", "/product/P-1026:en:draft", contributorKey, "").body, "_articles.#.aposDocId").Raw; strings.Contains(got, `"2"`) {
		t.Fatalf("P-1026's draft articles still name article 2: %s", got)
	}
	if got := gjson.Get(s.do(t, "GET", "/product/P-1026:en:published", "", "").body, "_articles.#.aposDocId").Raw; !strings.Contains(got, `"2"`) {
		t.Fatalf("P-1026's published articles: %s", got)
	}
	// The editor publishes: now, and only now, the join table changes.
	expect(t, s.do(t, "POST", "/article/2:en:draft/publish", editorKey, ""), 200, "productsIds", `["P-1005","P-1002"]`)
	const published = "P-1005:top,P-1002:NULL"
	if got := joinRows(t, s, 2); got != published {
		t.Fatalf("article 2's rows after the publish: %s", got)
	}
	expect(t, s.do(t, "GET", "/article/2", "", ""), 200, "productsIds", `["P-1005","P-1002"]`, "_products.0._fields.relevance", "top")
	// Revert the draft to the published document: its links come back.
	expect(t, s.do(t, "PATCH", "/article/2:en:draft", contributorKey, `{"_products":[]}`), 200, "productsIds", "[]")
	expect(t, s.do(t, "POST", "/article/2:en:draft/revert-draft-to-published", editorKey, ""), 200, "productsIds", `["P-1005","P-1002"]`)
	expect(t, s.do(t, "GET", "/article/2:en:draft", contributorKey, ""), 200, "productsIds", `["P-1005","P-1002"]`)
	// Revert the published document to its previous version: the join
	// table gets the previous links back, the draft keeps its own.
	expect(t, s.do(t, "POST", "/article/2:en:published/revert-published-to-previous", editorKey, ""), 200,
		"productsIds", `["P-1026","P-1001","P-1033"]`)
	if got := joinRows(t, s, 2); got != old {
		t.Fatalf("article 2's rows after revert-published-to-previous: %s", got)
	}
	expect(t, s.do(t, "GET", "/article/2:en:draft", contributorKey, ""), 200, "productsIds", `["P-1005","P-1002"]`)
	// Localize carries the draft's links, read in the new locale (P-1002
	// has no French record: its link reads as nothing there).
	r = s.do(t, "POST", "/article/2:en:draft/localize", editorKey, `{"toLocale":"fr"}`)
	expect(t, r, 200, "productsIds", `["P-1005"]`, "_products.0._id", "P-1005:fr:draft")
	if got := joinRows(t, s, 2); got != old {
		t.Fatalf("localize wrote article_products: %s", got)
	}
	// A draft write that fails keeps the draft's links (one transaction).
	expect(t, s.do(t, "PATCH", "/article/2:en:draft", contributorKey, `{"title":"","_products":["P-1001"]}`), 400, "name", "invalid")
	r = s.do(t, "PATCH", "/article/2:en:draft", contributorKey, `{"title":"`+strings.Repeat("x", 400)+`","_products":["P-1001"]}`)
	if r.status != 200 {
		expect(t, s.do(t, "GET", "/article/2:en:draft", contributorKey, ""), 200, "productsIds", `["P-1005","P-1002"]`)
	}
	// Unpublish deletes the legacy row and its links; the draft keeps its
	// own, and the next publish writes them back.
	expect(t, s.do(t, "PATCH", "/article/4:en:draft", contributorKey, `{"_products":["P-1003"]}`), 200, "productsIds", `["P-1003"]`)
	expect(t, s.do(t, "POST", "/article/4:en:published/unpublish", editorKey, ""), 200, "productsIds", `["P-1003"]`)
	if got := joinRows(t, s, 4); got != "" {
		t.Fatalf("article 4's rows after its unpublish: %s", got)
	}
	expect(t, s.do(t, "POST", "/article/4:en:draft/publish", editorKey, ""), 200, "productsIds", `["P-1003"]`)
	if got := joinRows(t, s, 4); got != "P-1003:NULL" {
		t.Fatalf("article 4's rows after its new publish: %s", got)
	}
	// A draft whose links alone differ is modified, in reads, lists and
	// write answers; reverting it makes it unmodified again.
	expect(t, s.do(t, "PATCH", "/article/5:en:draft", contributorKey, `{"_products":["P-1003"]}`), 200, "modified", "true")
	expect(t, s.do(t, "GET", "/article/5:en:draft", contributorKey, ""), 200, "modified", "true")
	r = s.do(t, "GET", "/article?aposMode=draft&perPage=50", contributorKey, "")
	for _, a := range gjson.Get(r.body, "results").Array() {
		if id := a.Get("aposDocId").Str; (id == "5") != a.Get("modified").Bool() && (id == "5" || id == "7") {
			t.Fatalf("draft list: article %s modified %s", id, a.Get("modified").Raw)
		}
	}
	expect(t, s.do(t, "POST", "/article/5:en:draft/revert-draft-to-published", editorKey, ""), 200, "modified", "false")
	// A new article's draft links reach the table with its first publish.
	r = s.do(t, "POST", "/article?aposMode=draft", contributorKey, `{"title":"Draft with links","_products":["P-1003"]}`)
	expect(t, r, 200, "productsIds", `["P-1003"]`)
	r = s.do(t, "POST", "/article/"+gjson.Get(r.body, "_id").Str+"/publish", editorKey, "")
	expect(t, r, 200, "productsIds", `["P-1003"]`)
	id := gjson.Get(r.body, "aposDocId").Str
	n, _ := strconv.Atoi(id)
	if got := joinRows(t, s, n); got != "P-1003:NULL" {
		t.Fatalf("new article %s's rows after its first publish: %s", id, got)
	}
}

// joinRows lists an article's rows of article_products, in order, as
// product:relevance.
func joinRows(t *testing.T, s *shop, article int) string {
	t.Helper()
	db, err := sqldb.Open(context.Background(), config.Database{Driver: s.driver, DSN: s.dsn, MaxOpen: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT product_id, relevance FROM article_products WHERE article_id = " + strconv.Itoa(article) + " ORDER BY position")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		var rel sql.NullString
		if err := rows.Scan(&p, &rel); err != nil {
			t.Fatal(err)
		}
		if !rel.Valid {
			rel.String = "NULL"
		}
		out = append(out, p+":"+rel.String)
	}
	return strings.Join(out, ",")
}

// relRollback: a write that fails writes no link; deleting an article
// deletes its links with it.
func relRollback(t *testing.T, s *shop) {
	before := gjson.Get(s.do(t, "GET", "/article/3", "", "").body, "productsIds").Raw
	long := strings.Repeat("x", 400) // over VARCHAR(300): refused by PostgreSQL and MySQL
	r := s.do(t, "PATCH", "/article/3:en:published", adminKey, `{"title":"`+long+`","_products":["P-1001","P-1002"]}`)
	if r.status == 200 && s.driver != "sqlite" {
		t.Fatalf("a title over the column's size was written: %d", r.status)
	}
	after := gjson.Get(s.do(t, "GET", "/article/3", "", "").body, "productsIds").Raw
	if r.status != 200 && after != before {
		t.Fatalf("a failed write changed the links: %s, then %s", before, after)
	}
	expect(t, s.do(t, "PATCH", "/article/3:en:published", adminKey, `{"title":"","_products":["P-1001"]}`), 400, "name", "invalid")
	if got := gjson.Get(s.do(t, "GET", "/article/3", "", "").body, "productsIds").Raw; got != after {
		t.Fatalf("a refused write changed the links: %s, then %s", after, got)
	}
	expect(t, s.do(t, "DELETE", "/article/6:en:published", adminKey, ""), 200)
	db, err := sqldb.Open(context.Background(), config.Database{Driver: s.driver, DSN: s.dsn, MaxOpen: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM article_products WHERE article_id = 6").Scan(&n); err != nil || n != 0 {
		t.Fatalf("article 6's links after its delete: %d %v", n, err)
	}
}
