package proxy

import (
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// TestRelationshipPermissions: a related type the caller may not read
// gives empty arrays (reads) and resolves nothing (writes), in both
// directions (docs/api-rules.md#171, #174, #180).
func TestRelationshipPermissions(t *testing.T) {
	// Categories readable by editors only; products stay public.
	src := strings.Replace(testkit.ShopConfig(t), "[types.category]\n", "[types.category]\nview_role = \"editor\"\n", 1)
	path := testkit.WriteConfig(t, src, nil)
	t.Setenv("SHOP_DB_DRIVER", testkit.SQLite.Name)
	t.Setenv("SHOP_DB_DSN", testkit.SQLite.Fresh(t))
	for role, key := range map[string]string{"ADMIN": "perm-admin", "EDITOR": "perm-editor", "CONTRIBUTOR": "perm-contributor"} {
		t.Setenv("SHOP_"+role+"_APIKEY", key)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	h := shopHandler(t, cfg)
	get := func(uri, key string) []byte {
		t.Helper()
		var r *fasthttp.Response
		if key == "" {
			r = testkit.Call(h, "GET", uri, "")
		} else {
			r = testkit.Call(h, "GET", uri, "", testkit.APIKey(key)...)
		}
		if r.StatusCode() != 200 {
			t.Fatalf("GET %s: %d %s", uri, r.StatusCode(), r.Body())
		}
		return r.Body()
	}
	// Reads: anonymous and contributors see no category, editors do.
	for _, key := range []string{"", "perm-contributor"} {
		b := get("/api/v1/product/P-1002:en:published", key)
		if gjson.GetBytes(b, "_category").Raw != "[]" || gjson.GetBytes(b, "categoryIds").Raw != "[]" {
			t.Fatalf("caller %q sees the category: %s", key, b)
		}
		list := get("/api/v1/product?perPage=5", key)
		if strings.Contains(gjson.GetBytes(list, "results.#._category").Raw, `"_id"`) {
			t.Fatalf("caller %q sees categories in a list", key)
		}
	}
	if b := get("/api/v1/product/P-1002:en:published", "perm-editor"); gjson.GetBytes(b, "_category.0.title").Str == "" {
		t.Fatalf("an editor does not see the category: %s", b)
	}
	// The reverse way: an editor reads a category's products; products
	// are public, so they show.
	if b := get("/api/v1/category/1", "perm-editor"); len(gjson.GetBytes(b, "_products").Array()) == 0 {
		t.Fatalf("category 1's products: %s", b)
	}
	// Writes: a contributor's _category resolves nothing (dropped, as
	// Apostrophe drops what the writer may not read): the key is cleared.
	r := testkit.Call(h, "PATCH", "/api/v1/product/P-1002:en:draft", `{"_category":["2"]}`, testkit.APIKey("perm-contributor")...)
	if r.StatusCode() != 200 || gjson.GetBytes(r.Body(), "categoryId").Type != gjson.Null {
		t.Fatalf("contributor's _category: %d %s", r.StatusCode(), r.Body())
	}
	r = testkit.Call(h, "PATCH", "/api/v1/product/P-1002:en:draft", `{"_category":["2"]}`, testkit.APIKey("perm-editor")...)
	if r.StatusCode() != 200 || gjson.GetBytes(r.Body(), "categoryId").Int() != 2 || gjson.GetBytes(r.Body(), "_category.0._id").Str != "2" {
		t.Fatalf("editor's _category: %d %s", r.StatusCode(), r.Body())
	}
}
