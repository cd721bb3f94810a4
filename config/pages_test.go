package config

import (
	"strings"
	"testing"
)

// pagesValid is a page tree mapping; each case of TestValidatePages breaks
// it in one place.
const pagesValid = `[databases.shop]
driver = "sqlite"
dsn = "file:shop.db"

[types."@apostrophecms/page"]
database = "shop"
table = "pages"
key = "page_id"
locale = { column = "lang" }
mode = { column = "status", values = { live = "published" } }

[types."@apostrophecms/page".tree]
parent = "parent_id"
order = "sort_order"
type = "page_type"
slug = "slug"
types = ["@apostrophecms/home-page", "default-page"]

[[types."@apostrophecms/page".fields]]
name = "title"
`

func TestPagesValid(t *testing.T) {
	cfg, err := Parse([]byte(pagesValid), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pt := cfg.Types[PageType]
	if !pt.IsPageTree() {
		t.Fatal("not a page tree")
	}
	var names []string
	for _, f := range pt.Fields {
		names = append(names, f.Name+":"+f.Column)
	}
	want := "title:title type:page_type slug:slug rank:sort_order _parentKey:parent_id"
	if strings.Join(names, " ") != want {
		t.Fatalf("fields %v, want %s", names, want)
	}
}

func TestValidatePages(t *testing.T) {
	for _, tc := range []struct{ name, from, to, path, msg string }{
		{"no tree", "[types.\"@apostrophecms/page\".tree]", "[types.\"@apostrophecms/page\".other]", "", ""},
		{"missing parent", `parent = "parent_id"`, ``, `types."@apostrophecms/page".tree.parent`, "is required"},
		{"bad column", `order = "sort_order"`, `order = "sort order"`, `types."@apostrophecms/page".tree.order`, "plain SQL identifier"},
		{"tree column is the key", `slug = "slug"`, `slug = "page_id"`, `types."@apostrophecms/page".tree.slug`, "key, locale or mode"},
		{"tree column twice", `slug = "slug"`, `slug = "page_type"`, `types."@apostrophecms/page".tree.slug`, "already the tree's type"},
		{"tree column mapped", "name = \"title\"\n", "name = \"title\"\ncolumn = \"slug\"\n", `types."@apostrophecms/page".tree.slug`, "already mapped"},
		{"no home page type", `"@apostrophecms/home-page", `, ``, `types."@apostrophecms/page".tree.types`, "must list @apostrophecms/home-page"},
		{"archive page type", `"default-page"]`, `"default-page", "@apostrophecms/archive-page"]`, `types."@apostrophecms/page".tree.types[2]`, "archive"},
		{"duplicate page type", `"default-page"]`, `"default-page", "default-page"]`, `types."@apostrophecms/page".tree.types[2]`, "twice"},
		{"field named rank", "name = \"title\"\n", "name = \"rank\"\n", `types."@apostrophecms/page".fields[0].name`, "set by the page tree"},
		{"overlay", `mode = { column = "status", values = { live = "published" } }`, `storage = "overlay"`, `types."@apostrophecms/page"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(pagesValid, tc.from, tc.to, 1)
			if src == pagesValid {
				t.Fatalf("case does not change the configuration")
			}
			_, err := Parse([]byte(src), t.TempDir())
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q, want %s: ...%s", err, tc.path, tc.msg)
			}
		})
	}
	// A tree on any other type.
	src := strings.ReplaceAll(pagesValid, `"@apostrophecms/page"`, `page`)
	if _, err := Parse([]byte(src), t.TempDir()); err == nil || !strings.Contains(err.Error(), "types.page.tree: is only for the type @apostrophecms/page") {
		t.Fatalf("tree on another type: %v", err)
	}
}
