package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/config"
)

// TestAsMeasured: the earlier commit's shop, rewritten, is today's
// configuration without relationships, proxy-kept fields, request log
// and admin listener, and still a valid configuration.
func TestAsMeasured(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := asMeasured(path); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(path)
	for _, gone := range []string{`"relationship"`, `store = "proxy"`, "[admin]"} {
		if strings.Contains(string(out), gone) {
			t.Errorf("%s is still there", gone)
		}
	}
	cfg, err := config.Parse(out, root)
	if err != nil {
		t.Fatal(err)
	}
	if *cfg.Log.Requests {
		t.Error("the request log is on")
	}
	if p := cfg.Types["product"]; p == nil || len(p.Relationships) != 0 || len(p.ProxyFields) != 0 || p.Schema().Field("price") == nil {
		t.Errorf("product: %+v", p)
	}
}
