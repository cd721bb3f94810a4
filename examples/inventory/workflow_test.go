package main

import (
	"testing"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/examples/inventory/service"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestWorkflowThroughTheProxy publishes and unpublishes inventory items
// through the proxy's workflow routes, which call the service's promote
// and delete routes, and checks that the routes the service cannot serve
// say so with 501.
func TestWorkflowThroughTheProxy(t *testing.T) {
	addr := shop(t, testkit.Serve(t, service.New("secret-token").Handler()))
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		want                     map[string]string // gjson path -> value (raw JSON)
	}{
		{"publish calls promote", "POST", "/INV-0005:en:draft/publish", "", 200, map[string]string{
			"_id": `"INV-0005:en:draft"`, "modified": "false"}},
		{"now published", "GET", "/INV-0005:en:published", "", 200, map[string]string{"title": `"Maple desk"`}},
		{"locales", "GET", "/INV-0001/locales", "", 200, map[string]string{
			"results.#": "4", "results.0._id": `"INV-0001:en:published"`, "results.3.aposLocale": `"fr:draft"`}},
		{"unpublish deletes the live variant", "POST", "/INV-0005:en:published/unpublish", "", 200, map[string]string{
			"_id": `"INV-0005:en:draft"`, "lastPublishedAt": "null"}},
		{"no longer published", "GET", "/INV-0005:en:published", "", 404, nil},
		{"revert is not the service's", "POST", "/INV-0001/revert-draft-to-published", "", 501, map[string]string{"name": `"unimplemented"`}},
		{"nor is localize", "POST", "/INV-0002/localize", `{"toLocale":"fr"}`, 501, map[string]string{"name": `"unimplemented"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := call(t, addr, tt.method, tt.path, editorKey, tt.body)
			if x.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", x.Status, tt.status, x.Body)
			}
			for path, want := range tt.want {
				if got := gjson.Get(x.Body, path).Raw; got != want {
					t.Errorf("%s = %s, want %s in %s", path, got, want, x.Body)
				}
			}
		})
	}
}
