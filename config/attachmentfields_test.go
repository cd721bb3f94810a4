package config

import (
	"os"
	"strings"
	"testing"
)

// TestAttachmentFields checks the shop's attachment fields and breaks
// them one way per case.
func TestAttachmentFields(t *testing.T) {
	b, err := os.ReadFile("../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	shop := string(b)
	cfg, err := parseEnv(shop, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Types["product"]
	if len(p.ProxyFields) != 1 || p.ProxyFields[0].Name != "image" || p.Schema().Field("image") != nil {
		t.Fatalf("product's held fields %+v", p.ProxyFields)
	}
	if f := cfg.Types[ImageType].Schema().Field("attachment"); f == nil || f.Kind != "attachment" {
		t.Fatalf("image's attachment field: %+v", f)
	}
	const held = "kind = \"attachment\"\nstore = \"proxy\""
	for _, tt := range []struct {
		name, old, new, path, at, msg string
	}{
		{"unknown store", held, "kind = \"attachment\"\nstore = \"blob\"", "types.product.fields[9].store", `store = "blob"`, `"json", "id" or "proxy"`},
		{"store on a string", "name = \"description\"\n", "name = \"description\"\nstore = \"id\"\n", "types.product.fields[1].store", `store = "id"`, "only for attachment fields"},
		{"attachments off", "[attachments]\nenabled = true", "[attachments]\nenabled = false", "types.product.fields[9].kind", held, "need [attachments] enabled"},
		{"searchable", held, held + "\nsearchable = true", "types.product.fields[9].kind", held, "cannot be searchable"},
		{"held in a store type", "name = \"attachment\"\nkind = \"attachment\"\nrequired = true\n\n[[types.\"@apostrophecms/image\"",
			"name = \"attachment\"\nkind = \"attachment\"\nstore = \"proxy\"\nrequired = true\n\n[[types.\"@apostrophecms/image\"",
			`types."@apostrophecms/image".fields[1].store`, "store = \"proxy\"\nrequired = true", "a store type keeps every field"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(shop, tt.old) {
				t.Fatalf("%q is not in the configuration", tt.old)
			}
			src := strings.Replace(shop, tt.old, tt.new, 1)
			_, err := parseEnv(src, nil)
			wantError(t, err, tt.path, lineOf(t, src, tt.at), tt.msg)
		})
	}
}
