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

// TestClientJS runs e2e/js: a client generated from Apostrophe's official
// OpenAPI description with openapi-typescript, calling through
// openapi-fetch, performs an editorial session on the shop, and every
// answer is validated against the description or its documented errata
// (e2e/js/ERRATA.md). It needs Node and npm: without them it fails in CI
// and is skipped elsewhere. node_modules comes from the committed lockfile
// (npm ci), which .ci/run installs first.
func TestClientJS(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(testkit.Root, "e2e", "js")
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed; CI must run the client test", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		npm(ctx, t, dir, nil, "ci", "--no-audit", "--no-fund")
	}
	s := startShop(t, testkit.SQLite)
	out := npm(ctx, t, dir, []string{"SHOP_URL=" + s.base}, "test")
	t.Logf("client session:\n%s", out)
}

// npm runs npm with args in dir and returns its output; a failure fails t.
func npm(ctx context.Context, t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm %v: %v\n%s", args, err, out)
	}
	return string(out)
}
