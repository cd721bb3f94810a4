package proxy

import (
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// shop serves the shop example in process, with an editor key.
type shop struct {
	t *testing.T
	h fasthttp.RequestHandler
}

func newShop(t *testing.T) *shop {
	t.Setenv("SHOP_EDITOR_APIKEY", "editor-key")
	return &shop{t: t, h: shopHandler(t, shopConfig(t))}
}

// do sends a request (as the editor unless anonymous) and checks its
// status; it returns the body.
func (s *shop) do(method, uri, body string, anonymous bool, status int) gjson.Result {
	s.t.Helper()
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI(uri)
	ctx.Request.Header.SetMethod(method)
	if !anonymous {
		ctx.Request.Header.Set("Authorization", "ApiKey editor-key")
	}
	if body != "" {
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetBodyString(body)
	}
	s.h(&ctx)
	if got := ctx.Response.StatusCode(); got != status {
		s.t.Fatalf("%s %s: %d %s, want %d", method, uri, got, ctx.Response.Body(), status)
	}
	return gjson.ParseBytes(ctx.Response.Body())
}

// ids are the _ids of a list's results.
func ids(list gjson.Result) []string {
	var out []string
	for _, r := range list.Get("results").Array() {
		out = append(out, r.Get("_id").Str)
	}
	return out
}

// TestSlugList checks ?slug= and sort[slug] (docs/api-rules.md#17, #23):
// exact, on the slugified value, per locale, sortable.
func TestSlugList(t *testing.T) {
	s := newShop(t)
	const api = "/api/v1/"
	for _, tc := range []struct {
		uri  string
		want []string
	}{
		{"product?slug=bright-desk", []string{"P-1027:en:published"}},
		{"product?slug=Bright%20Desk", []string{"P-1027:en:published"}},
		{"product?slug=bright", nil},
		{"product?slug=bureau-lumineux&aposLocale=fr", []string{"P-1027:fr:published"}},
		{"product?slug=bright-desk&aposMode=draft", []string{"P-1027:en:draft"}},
		{"product?slug=", nil}, // an empty value does not filter: checked below
		{"category?slug=chairs", []string{"3"}},
		{"article?slug=caring-for-oak-part-9", []string{"9:en:published"}},
	} {
		got := ids(s.do("GET", api+tc.uri, "", !strings.Contains(tc.uri, "Mode"), 200))
		if tc.uri == "product?slug=" {
			if len(got) == 0 {
				t.Errorf("%s: an empty slug filtered everything out", tc.uri)
			}
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.uri, got, tc.want)
		}
	}
	for _, dir := range []string{"1", "-1"} {
		list := s.do("GET", api+"product?perPage=100&project[slug]=1&sort[slug]="+dir, "", true, 200)
		var slugs []string
		for _, r := range list.Get("results").Array() {
			slugs = append(slugs, r.Get("slug").Str)
			if r.Get("title").Exists() || r.Get("visibility").Exists() {
				t.Fatalf("project[slug]=1 renders more: %s", r.Raw)
			}
		}
		want := slices.Clone(slugs)
		slices.Sort(want)
		if dir == "-1" {
			slices.Reverse(want)
		}
		if len(slugs) != 33 || !slices.Equal(slugs, want) {
			t.Errorf("sort[slug]=%s: %v", dir, slugs)
		}
	}
	if s.do("GET", api+"product/P-1027?project[slug]=0", "", true, 200).Get("slug").Exists() {
		t.Error("project[slug]=0 renders the slug")
	}
	// inventory-item is served by an HTTP service: its slugs are its
	// titles', which the service cannot search or sort by.
	for _, uri := range []string{"inventory-item?slug=x", "inventory-item?sort[slug]=1"} {
		if msg := s.do("GET", api+uri, "", true, 400).Get("message").Str; !strings.Contains(msg, "slug") {
			t.Errorf("%s: message %q", uri, msg)
		}
	}
}

// TestSlugWrites checks that slugs are stable across title edits, and
// that a body's slug is honoured and made unique (docs/api-rules.md#25).
func TestSlugWrites(t *testing.T) {
	s := newShop(t)
	const draft, pub = "/api/v1/product/P-1027:en:draft", "/api/v1/product/P-1027:en:published"
	if got := s.do("PATCH", draft, `{"title":"Desk"}`, false, 200).Get("slug").Str; got != "bright-desk" {
		t.Fatalf("slug after a title edit %q", got)
	}
	doc := s.do("PATCH", draft, `{"slug":"Bright Lamp"}`, false, 200)
	if doc.Get("slug").Str != "bright-lamp1" || !doc.Get("modified").Bool() {
		t.Fatalf("slug patched to a taken one: %s", doc.Raw)
	}
	if got := s.do("GET", pub, "", true, 200).Get("slug").Str; got != "bright-desk" {
		t.Fatalf("published slug %q changed with the draft's", got)
	}
	if got := s.do("PATCH", draft, `{"_patches":[{"slug":"desk one"},{"price":5}]}`, false, 200).Get("slug").Str; got != "desk-one" {
		t.Fatalf("slug in _patches: %q", got)
	}
	if e := s.do("PATCH", draft, `{"slug":5}`, false, 400); e.Get("data.errors.0.path").Str != "slug" {
		t.Fatalf("a slug that is not a string: %s", e.Raw)
	}
	put := s.do("GET", draft, "", false, 200).Raw
	if got := s.do("PUT", draft, put, false, 200).Get("slug").Str; got != "desk-one" {
		t.Fatalf("PUT of the document as read: slug %q", got)
	}
	if got := s.do("POST", "/api/v1/product/P-1027:en:draft/publish", "", false, 200).Get("slug").Str; got != "desk-one" {
		t.Fatalf("published draft slug %q", got)
	}
	if got := ids(s.do("GET", "/api/v1/product?slug=desk-one", "", true, 200)); !slices.Equal(got, []string{"P-1027:en:published"}) {
		t.Fatalf("published slug not found: %v", got)
	}
	if got := s.do("POST", "/api/v1/product", `{"title":"Bright Lamp","price":100}`, false, 200).Get("slug").Str; got != "bright-lamp1" {
		t.Fatalf("new document's slug %q", got)
	}
	if got := s.do("POST", "/api/v1/category", `{"title":"Chairs","slug":"seats"}`, false, 200).Get("slug").Str; got != "seats" {
		t.Fatalf("new category's slug %q", got)
	}
}

// TestPublicationFields checks that documents carry visibility and
// archived, and that published legacy documents and their drafts carry
// lastPublishedAt (docs/api-rules.md#24, #25).
func TestPublicationFields(t *testing.T) {
	s := newShop(t)
	for _, uri := range []string{"/api/v1/product?perPage=100", "/api/v1/product?perPage=100&aposLocale=fr",
		"/api/v1/article?perPage=100", "/api/v1/product?perPage=100&aposMode=draft"} {
		for _, r := range s.do("GET", uri, "", !strings.Contains(uri, "draft"), 200).Get("results").Array() {
			published := r.Get("aposMode").Str == "published" || r.Get("modified").Exists() && !r.Get("modified").Bool()
			if published && r.Get("lastPublishedAt").Type != gjson.String {
				t.Fatalf("%s: no lastPublishedAt: %s", uri, r.Raw)
			}
			if r.Get("visibility").Str != "public" || r.Get("archived").Raw != "false" {
				t.Fatalf("%s: visibility and archived: %s", uri, r.Raw)
			}
		}
	}
	if r := s.do("GET", "/api/v1/product/P-1001:en:draft", "", false, 200); r.Get("lastPublishedAt").Str != "2025-08-05T17:42:00.000Z" {
		t.Fatalf("draft of a published product: %s", r.Raw)
	}
	cat := s.do("GET", "/api/v1/category/3", "", true, 200)
	if cat.Get("lastPublishedAt").Exists() || cat.Get("visibility").Str != "public" || cat.Get("archived").Raw != "false" {
		t.Fatalf("category: %s", cat.Raw)
	}
	projected := s.do("GET", "/api/v1/product/P-1001?project[title]=1", "", true, 200)
	if projected.Get("visibility").Exists() || projected.Get("archived").Exists() || projected.Get("lastPublishedAt").Exists() {
		t.Fatalf("project[title]=1: %s", projected.Raw)
	}
	if p := s.do("GET", "/api/v1/product/P-1001?project[visibility]=1", "", true, 200); p.Get("visibility").Str != "public" || p.Get("archived").Exists() {
		t.Fatalf("project[visibility]=1: %s", p.Raw)
	}
}
