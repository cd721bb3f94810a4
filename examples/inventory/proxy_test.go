package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/examples/inventory/service"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/internal/testkit/testproxy"
	"github.com/aposproxy/aposproxy/proxy"
)

// head is what the root config.toml adds around the snippet.
const head = testkit.Locales + `
[server]
request_timeout = "2s"
[api_keys.editor]
role = "editor"
secret = "${INVENTORY_TEST_EDITOR_KEY}"
`

const editorKey = "editor-key"

// shop runs the proxy with the snippet's inventory-item in front of the
// service at serviceURL and returns the proxy's URL.
func shop(t *testing.T, serviceURL string) string {
	t.Helper()
	snippet, err := os.ReadFile("config.toml.snippet")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("INVENTORY_URL", serviceURL)
	t.Setenv("INVENTORY_TOKEN", "secret-token")
	t.Setenv("INVENTORY_TEST_EDITOR_KEY", editorKey)
	cfg, _ := testproxy.Config(t, head+string(snippet), nil)
	return testkit.Serve(t, testproxy.Build(t, cfg, proxy.Options{}).Handler())
}

// call sends one request to inventory-item on the proxy at base; key,
// when set, is the API key.
func call(t *testing.T, base, method, path, key, body string, header ...string) testkit.Response {
	t.Helper()
	return testkit.Do(t, method, base+"/api/v1/inventory-item"+path, body, append(testkit.APIKey(key), header...)...)
}

// TestThroughTheProxy serves inventory-item through the whole proxy, with
// the example service behind it, as `go run ./examples/inventory` and `go
// run .` do together.
func TestThroughTheProxy(t *testing.T) {
	addr := shop(t, testkit.Serve(t, service.New("secret-token").Handler()))
	tests := []struct {
		name, method, path, key, body string
		status                        int
		want                          map[string]string // gjson path -> value (raw JSON)
	}{
		{"list", "GET", "?perPage=2", "", "", 200, map[string]string{
			"pages": "16", "currentPage": "1", "results.#": "2",
			"results.0._id": `"INV-0001:en:published"`, "results.0.title": `"Oak desk"`,
			"results.0.warehouse": `"W1"`, "results.0.updatedAt": `"2025-06-01T10:00:00.000Z"`}},
		{"french, page 2", "GET", "?aposLocale=fr&perPage=5&page=2", "", "", 200, map[string]string{
			"pages": "2", "results.0._id": `"INV-0021:fr:published"`, "results.0.title": `"Chaise en érable"`}},
		{"a page bigger than the service's", "GET", "?aposMode=draft&perPage=1000", editorKey, "", 200, map[string]string{
			"pages": "1", "results.#": "40"}},
		{"search", "GET", "?search=walnut", "", "", 200, map[string]string{"results.#": "4"}},
		{"filter", "GET", "?warehouse=W3&perPage=1", "", "", 200, map[string]string{"pages": "11"}},
		{"count", "GET", "?count=1", "", "", 200, map[string]string{"count": "32"}},
		{"sort the service cannot do", "GET", "?sort[title]=1", "", "", 400, map[string]string{"name": `"invalid"`}},
		{"one", "GET", "/INV-0002:en:published", "", "", 200, map[string]string{
			"aposDocId": `"INV-0002"`, "aposMode": `"published"`, "quantity": "7", "aisle": `"A2"`}},
		{"draft needs a login", "GET", "/INV-0001:en:draft", "", "", 403, map[string]string{"name": `"forbidden"`}},
		{"draft", "GET", "/INV-0001:en:draft", editorKey, "", 200, map[string]string{"quantity": "1", "modified": "true"}},
		{"not found", "GET", "/INV-0999:en:published", "", "", 404, map[string]string{"name": `"notfound"`}},
		{"create", "POST", "?aposMode=draft", editorKey, `{"title":"Cedar desk","quantity":3,"warehouse":"W4","aisle":"B1"}`, 200,
			map[string]string{"title": `"Cedar desk"`, "aposMode": `"draft"`, "warehouse": `"W4"`}},
		{"create without a title", "POST", "", editorKey, `{"quantity":3}`, 400, map[string]string{
			"name": `"invalid"`, "data.errors.0.path": `"title"`}},
		{"patch", "PATCH", "/INV-0002:en:draft", editorKey, `{"quantity":70,"aisle":"Z1"}`, 200, map[string]string{
			"quantity": "70", "aisle": `"Z1"`, "title": `"Walnut desk"`, "modified": "true"}},
		{"put", "PUT", "/INV-0003:en:published", editorKey, `{"title":"Pine desk","quantity":5,"warehouse":"W1","aisle":"A1"}`, 200,
			map[string]string{"quantity": "5", "warehouse": `"W1"`}},
		{"delete", "DELETE", "/INV-0004:en:draft", editorKey, "", 200, nil},
		{"deleted with its published variant", "GET", "/INV-0004:en:published", "", "", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := call(t, addr, tt.method, tt.path, tt.key, tt.body)
			if x.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", x.Status, tt.status, x.Body)
			}
			for path, want := range tt.want {
				if got := gjson.Get(x.Body, path).Raw; got != want {
					t.Errorf("%s = %s, want %s in %s", path, got, want, x.Body)
				}
			}
			if strings.Contains(x.Body, "secret-token") || strings.Contains(x.Body, "STALE") {
				t.Errorf("service internals in %s", x.Body)
			}
		})
	}
}

// TestETag: GETs carry an ETag, a matching If-None-Match is answered 304,
// and a stale If-Match refuses a write.
func TestETag(t *testing.T) {
	addr := shop(t, testkit.Serve(t, service.New("secret-token").Handler()))
	x := call(t, addr, "GET", "/INV-0002:en:published", "", "")
	etag := x.Header.Get("ETag")
	if x.Status != 200 || etag == "" {
		t.Fatalf("status %d, ETag %q", x.Status, etag)
	}
	if x := call(t, addr, "GET", "/INV-0002:en:published", "", "", "If-None-Match", etag); x.Status != 304 {
		t.Errorf("If-None-Match: status %d, want 304", x.Status)
	}
	if x := call(t, addr, "PATCH", "/INV-0002:en:published", editorKey, `{"quantity":1}`, "If-Match", `"stale"`); x.Status != 412 {
		t.Errorf("stale If-Match: status %d, want 412: %s", x.Status, x.Body)
	}
	// The document as the editor sees it, permission annotations and all.
	etag = call(t, addr, "GET", "/INV-0002:en:published", editorKey, "").Header.Get("ETag")
	if x := call(t, addr, "PATCH", "/INV-0002:en:published", editorKey, `{"quantity":1}`, "If-Match", etag); x.Status != 200 {
		t.Errorf("current If-Match: status %d, want 200: %s", x.Status, x.Body)
	}
}

// TestServiceDown: with nothing at the service's address, inventory-item
// answers 502 in Apostrophe's error shape, quickly.
func TestServiceDown(t *testing.T) {
	down := testkit.FreeAddr(t)
	addr := shop(t, "http://"+down)
	start := time.Now()
	x := call(t, addr, "GET", "/INV-0001:en:published", "", "")
	if x.Status != 502 || gjson.Get(x.Body, "name").Str != "error" || time.Since(start) > time.Second {
		t.Errorf("status %d after %v: %s", x.Status, time.Since(start), x.Body)
	}
	if strings.Contains(x.Body, down) {
		t.Errorf("the service's address reached the client: %s", x.Body)
	}
}
