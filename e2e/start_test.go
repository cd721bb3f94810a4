package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// runBinary runs aposproxy to completion (it must refuse to start) and
// returns its exit code and output.
func runBinary(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), out.String()
		}
		return 0, out.String()
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("aposproxy did not stop by itself:\n%s", out.String())
	}
	return 0, ""
}

func TestStartRefusals(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The shop's config with the bootstrap paths made absolute, so that
	// variants written elsewhere still find the fixture.
	shop := testkit.ShopConfig(t)
	tests := []struct {
		name   string
		config string
		env    []string
		want   []string
	}{
		{
			name:   "unknown key",
			config: strings.Replace(shop, `name = "description"`, `name = "description"`+"\ncolum = \"x\"", 1),
			want:   []string{"types.product.fields[1].colum", "unknown key"},
		},
		{
			name:   "bad value",
			config: strings.Replace(shop, `max_open = 10`, `max_open = "ten"`, 1),
			want:   []string{"databases.shop.max_open"},
		},
		{
			name:   "missing database",
			config: strings.Replace(shop, "[types.order]\ndatabase = \"shop\"", "[types.order]\ndatabase = \"nope\"", 1),
			want:   []string{"types.order.database", "nope"},
		},
		{
			name:   "unset variable",
			config: strings.Replace(shop, `"${SHOP_DB_DSN:-file:data/shop.db}"`, `"${APOSPROXY_E2E_UNSET_VAR}"`, 1),
			want:   []string{"databases.shop.dsn", "APOSPROXY_E2E_UNSET_VAR"},
		},
		{
			name:   "column missing from the live table",
			config: strings.Replace(shop, `column = "in_stock"`, `column = "in_stok"`, 1),
			env:    []string{"SHOP_DB_DSN=file:" + filepath.Join(dir, "mismatch.db")},
			want:   []string{"types.product", "in_stok"},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.config == shop {
				t.Fatal("the test's replacement did not apply")
			}
			path := write("config"+string(rune('a'+i))+".toml", tt.config)
			code, out := runBinary(t, tt.env, "-config", path)
			if code != 2 {
				t.Fatalf("exit code %d, want 2; output:\n%s", code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Fatalf("output does not name %q:\n%s", w, out)
				}
			}
		})
	}
	t.Run("bad flag", func(t *testing.T) {
		if code, _ := runBinary(t, nil, "-nosuchflag"); code != 2 {
			t.Fatalf("exit code %d, want 2", code)
		}
	})
}
