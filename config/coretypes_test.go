package config

import (
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
)

// core adds Apostrophe's own types to valid: users over a users table,
// a global document and image tags in tables the proxy owns.
const core = valid + `
[types."@apostrophecms/user"]
database = "shop"
table = "users"
localized = false

[[types."@apostrophecms/user".fields]]
name = "username"
column = "login"

[[types."@apostrophecms/user".fields]]
name = "title"
column = "login"
read_only = true

[[types."@apostrophecms/user".fields]]
name = "password"
column = "pw_hash"
kind = "password"
required = true

[[types."@apostrophecms/user".fields]]
name = "active"
kind = "boolean"
default = true

[types."@apostrophecms/global"]
database = "shop"
store = true

[[types."@apostrophecms/global".fields]]
name = "footer"

[types."@apostrophecms/image-tag"]
database = "shop"
store = true
storage = "autopublish"

[[types."@apostrophecms/image-tag".fields]]
name = "title"
`

// TestCoreTypeDefaults covers what the proxy decides for core and store
// types: admin-only users, a singleton global, the store's table and
// columns.
func TestCoreTypeDefaults(t *testing.T) {
	cfg, err := parseEnv(core, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := cfg.Types[UserType]
	if u.ViewRole != "admin" || u.EditRole != "admin" || u.PublishRole != "admin" || u.IsSingleton() {
		t.Fatalf("user = %+v, want admin-only and no singleton", u)
	}
	if s := u.Schema(); s.Field("password").Kind != apos.Password || s.Field("active").Default != true || s.Field("username").Default != nil {
		t.Fatalf("user schema = %+v", s.Fields)
	}
	g := cfg.Types[GlobalType]
	if !g.IsSingleton() || g.Table != "aposproxy_apostrophecms_global" || g.Key != "id" || g.NewKeys != "random" ||
		g.Locale.Column != "doc_locale" || g.Mode.Column != "doc_mode" || g.Storage != "columns" || !*g.Localized || g.ViewRole != "anonymous" {
		t.Fatalf("global = %+v", g)
	}
	tag := cfg.Types[ImageTagType]
	if tag.IsSingleton() || tag.Table != "aposproxy_apostrophecms_image_tag" || tag.Locale.Column != "doc_locale" || tag.Mode.Column != "" || tag.Storage != "autopublish" {
		t.Fatalf("image-tag = %+v", tag)
	}
}

// TestCoreTypeMistakes breaks core in one place per case.
func TestCoreTypeMistakes(t *testing.T) {
	for _, tt := range []struct {
		name, old, new, path, at, msg string
	}{
		{"another of Apostrophe's types", `[types."@apostrophecms/global"]`, `[types."@apostrophecms/styles"]`,
			`types."@apostrophecms/styles"`, `[types."@apostrophecms/styles"]`, "but @apostrophecms/file, @apostrophecms/file-tag, @apostrophecms/global"},
		{"users below admin", "table = \"users\"\n", "table = \"users\"\nview_role = \"editor\"\n",
			`types."@apostrophecms/user".view_role`, `view_role = "editor"`, "admin-only"},
		{"localized users", "localized = false\n", "localized = true\n",
			`types."@apostrophecms/user".localized`, "localized = true", "must be false"},
		{"global not a singleton", "store = true\n\n[[types.\"@apostrophecms/global\"", "store = true\nsingleton = false\n\n[[types.\"@apostrophecms/global\"",
			`types."@apostrophecms/global".singleton`, "singleton = false", "must be true"},
		{"a required field in a singleton", "name = \"footer\"\n", "name = \"footer\"\nrequired = true\n",
			`types."@apostrophecms/global".fields[0].required`, "required = true\n\n[types.\"@apostrophecms/image", "cannot be required"},
		{"unlocalized singleton", "[types.item]\n", "[types.item]\nsingleton = true\n",
			"types.item.singleton", "singleton = true", "must be localized"},
		{"password in a localized type", "name = \"title\"\ncolumn = \"name\"\n", "name = \"title\"\ncolumn = \"name\"\nkind = \"password\"\n",
			"types.product.fields[0].kind", `kind = "password"`, "only for unlocalized types"},
		{"password over a service", "[[types.item.fields]]\n", "[[types.item.fields]]\nkind = \"password\"\n",
			"types.item.fields[0].kind", `kind = "password"`, "only for database types"},
		{"searchable password", `kind = "password"`, "kind = \"password\"\nsearchable = true",
			`types."@apostrophecms/user".fields[2].kind`, `kind = "password"`, "cannot be searchable"},
		{"default on a string", "name = \"footer\"\n", "name = \"footer\"\ndefault = true\n",
			`types."@apostrophecms/global".fields[0].default`, "default = true\n\n[types.\"@apostrophecms/image", "only for boolean fields"},
		{"a store type's key", "store = true\nstorage", "store = true\nkey = \"tag_id\"\nstorage",
			`types."@apostrophecms/image-tag".key`, `key = "tag_id"`, "set by the proxy for a store type"},
		{"a store type's table", "store = true\nstorage", "store = true\ntable = \"tags\"\nstorage",
			`types."@apostrophecms/image-tag".table`, `table = "tags"`, "starts with aposproxy_"},
		{"a store type over a service", "[types.item]\n", "[types.item]\nstore = true\n",
			"types.item.store", "store = true\n", "needs a database"},
		{"an overlay store type", `storage = "autopublish"`, `storage = "overlay"`,
			`types."@apostrophecms/image-tag".storage`, `storage = "overlay"`, `"columns" or "autopublish"`},
		{"a shared column that is written", "column = \"login\"\nread_only = true\n", "column = \"login\"\n",
			`types."@apostrophecms/user".fields[1].column`, "column = \"login\"\n\n[[types.\"@apostrophecms/user\".fields]]\nname = \"password\"", "already mapped"},
		{"a shared column in a localized type", "name = \"createdAt\"\ncolumn = \"created_at\"", "name = \"createdAt\"\ncolumn = \"name\"\nread_only = true",
			"types.product.fields[2].column", "column = \"name\"\nread_only", "already mapped"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(core, tt.old) {
				t.Fatalf("%q is not in the configuration", tt.old)
			}
			src := strings.Replace(core, tt.old, tt.new, 1)
			_, err := parseEnv(src, nil)
			wantError(t, err, tt.path, lineOf(t, src, tt.at), tt.msg)
		})
	}
}
