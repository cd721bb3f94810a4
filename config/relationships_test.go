package config

import "testing"

// relValid adds relationships to valid: a key field on product, a join
// table, a relationship of a service's type, and a reverse one.
const relValid = valid + `
[[types.item.fields]]
name = "productId"

[[types.item.fields]]
name = "_product"
kind = "relationship"
type = "product"
key_field = "productId"
max = 1

[[types.product.fields]]
name = "_items"
kind = "relationship"
type = "item"
reverse = "_product"

[[types.product.fields]]
name = "_related"
kind = "relationship"
type = "product"
join = { table = "related", from = "a", to = "b", order = "pos", fields = { why = "why" } }
project = ["title"]
`

func TestRelationshipsConfig(t *testing.T) {
	cfg, err := parseEnv(relValid, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Types["product"]
	if len(p.Relationships) != 2 || p.plainField("_items") != nil || p.Relationships[1].Index != 4 {
		t.Fatalf("product's relationships %+v", p.Relationships)
	}
	s := p.Schema()
	if s.Field("_related") != nil || s.Relationship("_related").Join.Fields[0].Column != "why" || !s.Relationship("_items").InLists {
		t.Fatalf("schema %+v", s.Relationships)
	}
}

func TestRelationshipsValidate(t *testing.T) {
	tests := []mistake{
		{"name without underscore", `name = "_product"`, `name = "product"`, "types.item.fields[2].name", `name = "product"`, "starts with _"},
		{"unknown type", `type = "product"
key_field`, `type = "nope"
key_field`, "types.item.fields[2].type", `type = "nope"`, "must name a configured type"},
		{"unknown key field", `key_field = "productId"`, `key_field = "nope"`, "types.item.fields[2].key_field", "nope", "must name a field"},
		{"two places", `key_field = "productId"`, "key_field = \"productId\"\nreverse = \"_items\"", "types.item.fields[2]", "[[types.item.fields]]\nname = \"_product\"", "exactly one of"},
		{"join on a service", `key_field = "productId"`, `join = { table = "t", from = "a", to = "b" }`, "types.item.fields[2].join", "join = {", "only for database types"},
		{"reverse of nothing", `reverse = "_product"`, `reverse = "_nope"`, "types.product.fields[3].reverse", "_nope", "must name a relationship field of type item"},
		{"bad join column", `to = "b"`, `to = "b c"`, "types.product.fields[4].join.to", `"b c"`, "plain SQL identifier"},
		{"project an unknown field", `project = ["title"]`, `project = ["nope"]`, "types.product.fields[4].project[0]", `["nope"]`, "not a field of type product"},
		{"column on a relationship", `max = 1`, "max = 1\ncolumn = \"x\"", "types.item.fields[2].kind", `kind = "relationship"`, "takes type, key_field"},
		{"relationship key elsewhere", `name = "productId"`, "name = \"productId\"\nmax = 2", "types.item.fields[1].max", "max = 2", `only for fields of kind "relationship"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := tt.apply(t, relValid)
			wantError(t, err, tt.path, lineOf(t, src, tt.at), tt.msg)
		})
	}
}
