package config

import (
	_ "embed"
	"strings"
	"testing"
)

// validModules declares routes of every kind; each case of
// TestValidateModules breaks it in one place.
//
//go:embed testdata/modules.toml
var validModules string

func TestModuleDefaults(t *testing.T) {
	cfg, err := parseEnv(validModules, nil)
	if err != nil {
		t.Fatal(err)
	}
	customer, stock := cfg.Modules["customer"], cfg.Modules["stock"]
	merge := customer.APIRoutes["post"]["merge"]
	for _, c := range []struct{ name, got, want string }{
		{"module name", customer.Name, "customer"},
		{"database of the type of the same name", customer.Database, "shop"},
		{"result with a document", merge.Result, "document"},
		{"result of getAll", stock.RestAPIRoutes["getAll"].Result, "list"},
		{"result of a named route", stock.APIRoutes["post"]["fetchItFine"].Result, "one"},
		{"pick", stock.APIRoutes["post"]["fetchItFine"].Call.Pick, "@this"},
		{"call method of a named route", stock.APIRoutes["post"]["fetchItFine"].Call.Method, "POST"},
		{"call method of a REST handler", stock.RestAPIRoutes["getAll"].Call.Method, "GET"},
		{"param kind", stock.RestAPIRoutes["getAll"].Params["sku"].Kind, "string"},
		{"statement as a string", merge.SQL[1].Text, "UPDATE customers SET merged_into = :into WHERE id = :from"},
		{"statement as a table", merge.SQL[0].Error + " " + merge.SQL[0].Message, "notfound No such customer."},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if n := merge.SQL[0].ExpectRows; n == nil || *n != 2 {
		t.Errorf("expect_rows: %v", n)
	}
	var keys []string
	customer.EachRoute(func(r RouteRef) { keys = append(keys, r.Method+" "+r.Name+" "+r.Key) })
	if got := strings.Join(keys, ","); got != `GET :_id/orders api_routes.get.":_id/orders",POST merge api_routes.post.merge` {
		t.Errorf("routes: %s", got)
	}
}

func TestValidateModules(t *testing.T) {
	merge := "[modules.customer.api_routes.post.merge]\n"
	tests := []mistake{ // changes to validModules
		{"unknown role", `role = "editor"`, `role = "root"`, "modules.customer.api_routes.post.merge.role", "root", "must be one of guest, contributor, editor, admin"},
		{"anonymous role", `role = "editor"`, `role = "anonymous"`, "modules.customer.api_routes.post.merge.role", "anonymous", "public = true"},
		{"public and a role", `role = "editor"`, "role = \"editor\"\npublic = true", "modules.customer.api_routes.post.merge.public", "public", "not both"},
		{"neither sql nor call", `sql = ["SELECT id FROM orders WHERE customer_id = :_id"]`, "", `modules.customer.api_routes.get.":_id/orders"`,
			`[modules.customer.api_routes.get.":_id/orders"]`, "needs sql"},
		{"sql and call", `result = "list"`, "result = \"list\"\ncall = { path = \"/x\" }", `modules.customer.api_routes.get.":_id/orders"`,
			`[modules.customer.api_routes.get.":_id/orders"]`, "not both"},
		{"empty statement", `"UPDATE customers SET merged_into = :into WHERE id = :from"`, `" "`,
			"modules.customer.api_routes.post.merge.sql[1]", `" "`, "needs the statement's text"},
		{"unknown statement key", `expect_rows = 2,`, `expect_row = 2,`, "modules.customer.api_routes.post.merge.sql[0]", "expect_row", `unknown key "expect_row"`},
		{"message without expectation", `expect_rows = 2,`, ``, "modules.customer.api_routes.post.merge.sql[0]", "{ text", "for a failed expect_rows"},
		{"unknown error name", `error = "notfound"`, `error = "gone"`, "modules.customer.api_routes.post.merge.sql[0]", "gone", "error must be one of"},
		{"reserved returns", `message = "No such customer." }`, `message = "No such customer.", returns = ["_x"] }`,
			"modules.customer.api_routes.post.merge.sql[0]", "returns", "returns: \"_x\""},
		{"unknown result", `result = "list"`, `result = "table"`, `modules.customer.api_routes.get.":_id/orders".result`, `result = "table"`, "must be one of one, list"},
		{"document without its result", `result = "list"`, "result = \"list\"\ndocument = { type = \"customer\", id = \"x\" }",
			`modules.customer.api_routes.get.":_id/orders".document`, `document = { type = "customer", id = "x" }`, "go together"},
		{"document of an unknown type", `type = "customer", id = "into"`, `type = "client", id = "into"`,
			"modules.customer.api_routes.post.merge.document.type", "client", `no type named "client"`},
		{"count from a call", `pick = "items", total = "total" }`, "pick = \"items\", total = \"total\" }\nresult = \"count\"",
			"modules.stock.rest_api_routes.getAll.result", `result = "count"`, "only for sql routes"},
		{"total outside getAll", `result = "list"`, "result = \"list\"\ntotal = \"SELECT 1\"", `modules.customer.api_routes.get.":_id/orders".total`, "total =", "only for the sql of a getAll"},
		{"param with two sources", `{ body = "from", kind`, `{ body = "from", query = "from", kind`, "modules.customer.api_routes.post.merge.params.from", "params.from", "exactly one of query"},
		{"param named like the context", `params.qty =`, `params._qty =`, "modules.stock.api_routes.post.fetchItFine.params._qty", "params._qty", "not starting with a digit or _"},
		{"unknown param kind", `kind = "integer" }`, `kind = "int" }`, "modules.stock.api_routes.post.fetchItFine.params.qty.kind", `"int"`, "must be one of string, integer"},
		{"sql without a database", "[types.customer]\ndatabase = \"shop\"", "[types.customer]\nupstream = \"inventory\"",
			"modules.customer.api_routes.post.merge.sql", "sql = [", "needs a database"},
		{"call without an upstream", "[modules.stock]\nupstream = \"inventory\"\n", "", "modules.stock.api_routes.post.fetchItFine.call", "call = { path = \"/v2/restock\"", "needs an upstream"},
		{"unknown database", "[modules.customer.api_routes.post.merge]", "[modules.customer]\ndatabase = \"shpo\"\n\n" + merge,
			"modules.customer.database", "shpo", `no database named "shpo"`},
		{"call path", `path = "/v2/restock"`, `path = "v2/restock"`, "modules.stock.api_routes.post.fetchItFine.call.path", "v2/restock", "must start with /"},
		{"call placeholder", `path = "/v2/items?sku={sku}"`, `path = "/v2/items?sku={s-k-u}"`, "modules.stock.rest_api_routes.getAll.call.path", "s-k-u", "{s-k-u} must name a parameter"},
		{"call method", `call = { path = "/v2/restock"`, `call = { method = "FETCH", path = "/v2/restock"`, "modules.stock.api_routes.post.fetchItFine.call.method", "FETCH", "must be one of GET"},
		{"unknown handler", "[modules.stock.rest_api_routes.getAll]", "[modules.stock.rest_api_routes.list]", "modules.stock.rest_api_routes.list", "rest_api_routes.list", "unknown handler"},
		{"unknown method", "api_routes.post.fetchItFine", "api_routes.send.fetchItFine", "modules.stock.api_routes.send", "api_routes.send", "unknown method"},
		{"wildcard", `get.":_id/orders"`, `get.":_id/*"`, `modules.customer.api_routes.get.":_id/*"`, `":_id/*"`, "wildcards"},
		{"bad path parameter", `get.":_id/orders"`, `get.":1d/orders"`, `modules.customer.api_routes.get.":1d/orders"`, `":1d/orders"`, "parameter :1d"},
		{"module without routes", "[modules.customer.api_routes.post.merge]", "[modules.empty]\n\n" + merge, "modules.empty", "[modules.empty]", "at least one route"},
		{"Apostrophe's own module", "modules.stock.rest", `modules."@apostrophecms/login".rest`, `modules."@apostrophecms/login"`, "@apostrophecms/login", "not one of Apostrophe's own"},
		{"collides with the type's list", "api_routes.get.\":_id/orders\"]", "rest_api_routes.getAll]",
			"modules.customer.rest_api_routes.getAll", "rest_api_routes.getAll]", "GET /api/v1/customer is already served by types.customer"},
		{"collides with the type's _id routes", `get.":_id/orders"`, `patch.":x"`, `modules.customer.api_routes.patch.":x"`, `patch.":x"`,
			"PATCH /api/v1/customer/{} is already served by types.customer"},
		{"a duplicate route", "[modules.stock.api_routes.post.fetchItFine]", "[modules.stock.api_routes.post.fetch-it-fine]\n" +
			"call = { path = \"/x\" }\n\n[modules.stock.api_routes.post.fetchItFine]",
			"modules.stock.api_routes.post.fetchItFine", "[modules.stock.api_routes.post.fetchItFine]", "is already served by modules.stock.api_routes.post.fetch-it-fine"},
		{"a site-relative duplicate", "[modules.stock.api_routes.post.fetchItFine]", "[modules.stock.api_routes.post.\"/api/v1/customer/merge\"]\n" +
			"call = { path = \"/x\" }\n\n[modules.stock.api_routes.post.fetchItFine]",
			`modules.stock.api_routes.post."/api/v1/customer/merge"`, `"/api/v1/customer/merge"`, "is already served by modules.customer.api_routes.post.merge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := tt.apply(t, validModules)
			wantError(t, err, tt.path, lineOf(t, src, tt.at), tt.msg)
		})
	}
}

func TestRoutePath(t *testing.T) {
	for _, tc := range []struct{ module, key, want string }{
		{"mydatabase", "", "/api/v1/mydatabase"},
		{"mydatabase", "merge", "/api/v1/mydatabase/merge"},
		{"api-test", "fetchItFine", "/api/v1/api-test/fetch-it-fine"},
		{"api-test", "fetch_it__fine2", "/api/v1/api-test/fetch-it-fine2"},
		{"api-test", "getURL", "/api/v1/api-test/get-u-r-l"},
		{"product", ":_id/publish", "/api/v1/product/{_id}/publish"},
		{"product", ":_id/locale/:toLocale", "/api/v1/product/{_id}/locale/{toLocale}"},
		{"product", "sub/fetchItFine", "/api/v1/product/sub/fetchItFine"},
		{"product", "/site/:slug", "/site/{slug}"},
		{"@acme/shop", "topSellers", "/api/v1/@acme/shop/top-sellers"},
	} {
		if got := RoutePath("/api/v1", tc.module, tc.key); got != tc.want {
			t.Errorf("RoutePath(%q, %q) = %q, want %q", tc.module, tc.key, got, tc.want)
		}
	}
}
