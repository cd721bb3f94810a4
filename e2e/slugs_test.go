package e2e

import (
	"testing"

	"github.com/tidwall/gjson"
)

// TestSlugsAndPublicationFields drives the binary on each engine: ?slug=
// finds exactly one product, slugs are unique per locale and mode and
// survive title edits, and every published product (and the draft of
// each) carries lastPublishedAt, visibility and archived
// (docs/api-rules.md#23 to #25).
func TestSlugsAndPublicationFields(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		r := s.do(t, "GET", "/product?slug=bright-desk", "", "")
		expect(t, r, 200, "results.#", "1", "results.0._id", "P-1027:en:published", "results.0.slug", "bright-desk",
			"results.0.lastPublishedAt", "2025-05-18T17:52:00.000Z", "results.0.visibility", "public", "results.0.archived", "false")
		for _, q := range []string{"", "&aposLocale=fr", "&aposMode=draft", "&aposLocale=fr&aposMode=draft"} {
			r := s.do(t, "GET", "/product?perPage=100"+q, contributorKey, "")
			expect(t, r, 200)
			seen := map[string]string{}
			for _, doc := range gjson.Get(r.body, "results").Array() {
				slug, id := doc.Get("slug").Str, doc.Get("_id").Str
				if other, dup := seen[slug]; dup || slug == "" {
					t.Fatalf("%s: %s and %s share the slug %q", q, other, id, slug)
				}
				seen[slug] = id
				unmodified := doc.Get("modified").Exists() && !doc.Get("modified").Bool()
				if (doc.Get("aposMode").Str == "published" || unmodified) && doc.Get("lastPublishedAt").Type != gjson.String {
					t.Fatalf("%s: %s has no lastPublishedAt: %s", q, id, doc.Raw)
				}
				if doc.Get("visibility").Str != "public" || doc.Get("archived").Raw != "false" {
					t.Fatalf("%s: %s lacks visibility or archived: %s", q, id, doc.Raw)
				}
			}
		}
		expect(t, s.do(t, "PATCH", "/product/P-1027:en:draft", editorKey, `{"title":"Bright Desk, renamed"}`), 200,
			"slug", "bright-desk", "lastPublishedAt", "2025-05-18T17:52:00.000Z")
		expect(t, s.do(t, "PATCH", "/product/P-1027:en:draft", editorKey, `{"slug":"Bright Lamp"}`), 200,
			"slug", "bright-lamp1", "modified", "true")
		expect(t, s.do(t, "POST", "/product/P-1027:en:draft/publish", editorKey, ""), 200, "slug", "bright-lamp1", "modified", "false")
		expect(t, s.do(t, "GET", "/product?slug=bright-lamp1", "", ""), 200, "results.#", "1", "results.0._id", "P-1027:en:published")
		expect(t, s.do(t, "GET", "/product?slug=bright-desk", "", ""), 200, "results.#", "0")
		expect(t, s.do(t, "GET", "/category?slug=chairs", "", ""), 200, "results.#", "1", "results.0._id", "3",
			"results.0.visibility", "public", "results.0.archived", "false")
		expect(t, s.do(t, "GET", "/article?slug=caring-for-oak-part-9", "", ""), 200, "results.#", "1",
			"results.0.lastPublishedAt", "2025-01-15T00:00:00.000Z")
	})
}
