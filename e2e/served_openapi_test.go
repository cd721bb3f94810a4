package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/tidwall/gjson"
)

// TestServedOpenAPI reads GET /api/v1/openapi.json from the shop: a valid
// OpenAPI 3.1 document (libopenapi-validator checks it against the
// specification's schema) that lists every type with its fields and
// kinds and the core routes, and that the proxy's real answers fit: a
// list, a document, a patch, a login, the locales, a batch job and an
// error (the same answers TestOpenAPI and TestCoreOpenAPI fit to
// Apostrophe's official description, where it has them).
func TestServedOpenAPI(t *testing.T) {
	t.Parallel()
	s := startShop(t, testkit.SQLite)
	r := s.do(t, "GET", "/openapi.json", "", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", r.status, r.header)
	}
	doc, err := libopenapi.NewDocument([]byte(r.body))
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if v == nil {
		t.Fatalf("the document does not load: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("document: %s: %s", e.Message, e.Reason)
		}
	}
	expectPairs(t, r.body, "openapi", "3.1.0", `paths./product.get.parameters.#(name=="color").in`, "query",
		"components.schemas.product.properties.price.type.0", "integer",
		"components.schemas.product.properties.color.enum.0", "red",
		"components.schemas.product.properties.attributes.x-apos-kind", "json",
		`components.schemas.product\.list.required.2`, "results",
		"paths./customer/merge.post.requestBody.content.application/json.schema.properties.from.type", "integer",
		"components.securitySchemes.ApiKeyAuth.name", "apikey",
		"components.securitySchemes.BearerAuth.scheme", "bearer",
		"components.schemas.Error.required.0", "name",
		"paths./@apostrophecms/login/login.post.operationId", "login",
		"components.schemas.product.properties._category.items.allOf.0.$ref", "#/components/schemas/category",
		"components.schemas.product\\.write.properties._category.items.required.0", "_id",
		`components.schemas.apostrophecms-page.properties._ancestors.items.$ref`, "#/components/schemas/apostrophecms-page",
		`components.schemas.apostrophecms-page.properties.level.type`, "integer",
		`components.schemas.apostrophecms-page\.write.properties._position.anyOf.0.enum.0`, "before",
		`paths./@apostrophecms/page.get.parameters.#(name=="all").in`, "query",
		`paths./@apostrophecms/attachment/upload.post.responses.200.content.application/json.schema.$ref`, "#/components/schemas/Attachment",
		`paths./product/publish.post.responses.200.content.application/json.schema.$ref`, "#/components/schemas/JobStarted")
	login := s.do(t, "POST", "/@apostrophecms/login/login", "", `{"username":"editor","password":"editor-pass"}`)
	bearer := []string{"Authorization", "Bearer " + gjson.Get(login.body, "token").Str}
	for _, c := range []struct{ method, path, key, body string }{
		{"GET", "/product?perPage=3", "", ""},
		{"GET", "/product?aposMode=draft&perPage=2", editorKey, ""},
		{"GET", "/product/P-1001:en:published", "", ""},
		{"PATCH", "/product/P-1001:en:draft", editorKey, `{"price":1234}`},
		{"GET", "/category/1", "", ""},
		{"GET", "/@apostrophecms/i18n/locales", "", ""},
		{"GET", "/@apostrophecms/user", adminKey, ""},
		{"POST", "/product/publish", editorKey, `{"_ids":["P-1001:en:draft"]}`},
		{"GET", "/product/P-9999:en:published", "", ""},
		{"GET", "/customer/1/orders", adminKey, ""},
		{"POST", "/@apostrophecms/login/whoami", "", ""},
		{"GET", "/@apostrophecms/login/context", "", ""},
		{"GET", "/@apostrophecms/page", "", ""},
		{"GET", "/@apostrophecms/page?all=1", "", ""},
		{"GET", "/@apostrophecms/page?all=1&flat=1", editorKey, ""},
		{"GET", "/product/P-1001:en:published?_category=1", "", ""},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			var headers []string
			if c.path == "/@apostrophecms/login/whoami" {
				headers = bearer
			}
			r := s.do(t, c.method, c.path, c.key, c.body, headers...)
			if strings.HasPrefix(c.path, "/product/P-1001") && !gjson.Get(r.body, "_category.0._id").Exists() {
				t.Fatalf("the product has no _category to check: %s", r.body)
			}
			if strings.HasPrefix(c.path, "/@apostrophecms/page") && !gjson.Get(r.body, "_url").Exists() && !gjson.Get(r.body, "results.0._url").Exists() {
				t.Fatalf("not a page: %s", r.body)
			}
			req, _ := http.NewRequest(c.method, "http://localhost/api/v1"+c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			resp := &http.Response{StatusCode: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader([]byte(r.body))), Request: req}
			if ok, verrs := v.ValidateHttpResponse(req, resp); !ok {
				for _, e := range verrs {
					t.Errorf("%d %s: %s: %s", r.status, r.body, e.Message, e.Reason)
				}
			}
		})
	}
}

// expectPairs checks gjson path, value pairs of a JSON text.
func expectPairs(t *testing.T, body string, pairs ...string) {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if got := gjson.Get(body, pairs[i]).String(); got != pairs[i+1] {
			t.Errorf("%s = %q, want %q", pairs[i], got, pairs[i+1])
		}
	}
}
