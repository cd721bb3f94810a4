package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// needTool skips t when a tool is missing, except in CI, where it fails.
func needTool(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed; CI must run this test", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

// TestServedClientJS generates a client from the shop's own
// GET /api/v1/openapi.json (openapi-typescript, type-checked by tsc) and
// lists, reads and patches products with it (openapi-fetch), as
// e2e/js/served.ts does.
func TestServedClientJS(t *testing.T) {
	t.Parallel()
	needTool(t, "node", "npm")
	dir := filepath.Join(testkit.Root, "e2e", "js")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		npm(ctx, t, dir, nil, "ci", "--no-audit", "--no-fund")
	}
	s := startShop(t, testkit.SQLite)
	out := npm(ctx, t, dir, []string{"SHOP_URL=" + s.base, "SHOP_API_KEY=" + editorKey}, "run", "--silent", "served")
	t.Logf("served client:\n%s", out)
}

// TestDocsPage opens GET /api/v1/docs in a real headless Chromium
// (e2e/js/docs-page.mjs over the DevTools protocol): no console error,
// the page's fetch of openapi.json succeeds, the shop's types are listed,
// a GET of a product from the page with an API key answers 200, and
// Swagger UI's own Try it out (authorized with the API key) answers 200
// for a category and a product.
func TestDocsPage(t *testing.T) {
	t.Parallel()
	needTool(t, "node", "chromium")
	s := startShop(t, testkit.SQLite)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "--experimental-websocket", "docs-page.mjs")
	cmd.Dir = filepath.Join(testkit.Root, "e2e", "js")
	cmd.Env = append(os.Environ(), "DOCS_URL="+s.base+"/docs", "SHOP_API_KEY="+adminKey,
		"SHOP_TYPES=product,category,article,customer,order,@apostrophecms/user,inventory-item")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docs page: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
