package main

import (
	"bytes"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/examples/inventory/service"
	"github.com/aposproxy/aposproxy/proxy"
)

// head is what the root config.toml adds around the snippet.
const head = `
[server]
request_timeout = "2s"
[locales]
default = "en"
[[locales.list]]
name = "en"
[[locales.list]]
name = "fr"
[api_keys.editor]
role = "editor"
secret = "${INVENTORY_TEST_EDITOR_KEY}"
`

const editorKey = "editor-key"

// listen serves h on a loopback port until the test ends.
func listen(t *testing.T, h fasthttp.RequestHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: h}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Shutdown()
		_ = ln.Close()
		<-done
	})
	return ln.Addr().String()
}

// shop runs the proxy with the snippet's inventory-item in front of the
// service at serviceAddr and returns the proxy's address.
func shop(t *testing.T, serviceAddr string) string {
	t.Helper()
	snippet, err := os.ReadFile("config.toml.snippet")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("INVENTORY_URL", "http://"+serviceAddr)
	t.Setenv("INVENTORY_TOKEN", "secret-token")
	t.Setenv("INVENTORY_TEST_EDITOR_KEY", editorKey)
	cfg, err := config.Parse(append([]byte(head), snippet...), ".")
	if err != nil {
		t.Fatal(err)
	}
	set, err := backends.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(set.Close)
	api, err := proxy.New(cfg, set.Adapters, proxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return listen(t, api.Handler())
}

type exchange struct {
	status int
	header *fasthttp.ResponseHeader
	body   []byte
}

// call sends one request to the proxy; key, when set, is the API key.
func call(t *testing.T, addr, method, path, key, body string, header ...string) exchange {
	t.Helper()
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI("http://" + addr + "/api/v1/inventory-item" + path)
	if key != "" {
		req.Header.Set("Authorization", "ApiKey "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if body != "" {
		req.Header.SetContentType("application/json")
		req.SetBodyString(body)
	}
	if err := fasthttp.DoTimeout(req, resp, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	h := &fasthttp.ResponseHeader{}
	resp.Header.CopyTo(h)
	return exchange{resp.StatusCode(), h, append([]byte(nil), resp.Body()...)}
}

// TestThroughTheProxy serves inventory-item through the whole proxy, with
// the example service behind it, as `go run ./examples/inventory` and `go
// run .` do together.
func TestThroughTheProxy(t *testing.T) {
	addr := shop(t, listen(t, service.New("secret-token").Handler()))
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
			if x.status != tt.status {
				t.Fatalf("status %d, want %d: %s", x.status, tt.status, x.body)
			}
			for path, want := range tt.want {
				if got := gjson.GetBytes(x.body, path).Raw; got != want {
					t.Errorf("%s = %s, want %s in %s", path, got, want, x.body)
				}
			}
			if bytes.Contains(x.body, []byte("secret-token")) || bytes.Contains(x.body, []byte("STALE")) {
				t.Errorf("service internals in %s", x.body)
			}
		})
	}
}

// TestETag: GETs carry an ETag, a matching If-None-Match is answered 304,
// and a stale If-Match refuses a write.
func TestETag(t *testing.T) {
	addr := shop(t, listen(t, service.New("secret-token").Handler()))
	x := call(t, addr, "GET", "/INV-0002:en:published", "", "")
	etag := string(x.header.Peek("ETag"))
	if x.status != 200 || etag == "" {
		t.Fatalf("status %d, ETag %q", x.status, etag)
	}
	if x := call(t, addr, "GET", "/INV-0002:en:published", "", "", "If-None-Match", etag); x.status != 304 {
		t.Errorf("If-None-Match: status %d, want 304", x.status)
	}
	if x := call(t, addr, "PATCH", "/INV-0002:en:published", editorKey, `{"quantity":1}`, "If-Match", `"stale"`); x.status != 412 {
		t.Errorf("stale If-Match: status %d, want 412: %s", x.status, x.body)
	}
	// The document as the editor sees it, permission annotations and all.
	etag = string(call(t, addr, "GET", "/INV-0002:en:published", editorKey, "").header.Peek("ETag"))
	if x := call(t, addr, "PATCH", "/INV-0002:en:published", editorKey, `{"quantity":1}`, "If-Match", etag); x.status != 200 {
		t.Errorf("current If-Match: status %d, want 200: %s", x.status, x.body)
	}
}

// TestServiceDown: with nothing at the service's address, inventory-item
// answers 502 in Apostrophe's error shape, quickly.
func TestServiceDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()
	addr := shop(t, down)
	start := time.Now()
	x := call(t, addr, "GET", "/INV-0001:en:published", "", "")
	if x.status != 502 || gjson.GetBytes(x.body, "name").Str != "error" || time.Since(start) > time.Second {
		t.Errorf("status %d after %v: %s", x.status, time.Since(start), x.body)
	}
	if strings.Contains(string(x.body), down) {
		t.Errorf("the service's address reached the client: %s", x.body)
	}
}
