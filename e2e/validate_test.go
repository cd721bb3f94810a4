package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/examples/inventory/service"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestValidateStatic runs `aposproxy validate` on each class of static
// mistake: every mistake of a file is reported at once, each as
// file:line: key.path: message, with exit code 1; bad arguments and a
// file that cannot be read are exit code 2; a good file is 0.
func TestValidateStatic(t *testing.T) {
	shop := testkit.ShopConfig(t)
	dir := t.TempDir()
	bad := strings.NewReplacer(`name = "description"`, "name = \"description\"\ncolum = \"x\"",
		`max_open = 10`, `max_open = "ten"`).Replace(shop)
	at := func(text, line string) string { return fmt.Sprintf("config.toml:%d: ", lineOf(t, text, line)) }
	for _, c := range []struct {
		name, config string
		args         []string
		code         int
		want         []string
	}{
		{name: "the shop", config: shop, code: 0, want: []string{fmt.Sprintf("ok (%d types)", typeCount(shop))}},
		{name: "TOML syntax", config: strings.Replace(shop, `prefix = "/api/v1"`, `prefix = "/api/v1`, 1), code: 1,
			want: []string{at(shop, `prefix = "/api/v1"`)}},
		{name: "unknown keys and bad values, all at once", code: 1, config: bad,
			want: []string{at(bad, `max_open = "ten"`) + "databases.shop.max_open: must be an integer", at(bad, `colum = "x"`) + "types.product.fields[1].colum: unknown key", "2 mistake(s)"}},
		{name: "references and kinds, all at once", code: 1, config: strings.NewReplacer(
			"[types.order]\ndatabase = \"shop\"", "[types.order]\ndatabase = \"nope\"",
			`kind = "json"`, `kind = "jason"`,
			`role = "guest"`+"\nsecret", `role = "visitor"`+"\nsecret").Replace(shop),
			want: []string{"types.order.database", "nope", "kind: must be one of", "api_keys.guest.role", "mistake(s) found"}},
		{name: "unset variable", config: strings.Replace(shop, `"${SHOP_DB_DSN:-file:data/shop.db}"`, `"${APOSPROXY_E2E_UNSET_VAR}"`, 1),
			code: 1, want: []string{at(shop, `dsn = "${SHOP_DB_DSN:-file:data/shop.db}"`) + "databases.shop.dsn", "APOSPROXY_E2E_UNSET_VAR"}},
		{name: "no such file", args: []string{"-config", filepath.Join(dir, "nope.toml")}, code: 2, want: []string{"no such file"}},
		{name: "bad flag", args: []string{"-nosuchflag"}, code: 2, want: []string{"flag provided but not defined"}},
		{name: "stray argument", args: []string{"extra"}, code: 2, want: []string{`unexpected argument "extra"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := c.args
			if c.config != "" {
				path := filepath.Join(t.TempDir(), "config.toml")
				if err := os.WriteFile(path, []byte(c.config), 0o644); err != nil {
					t.Fatal(err)
				}
				args = []string{"-config", path}
			}
			code, out := runBinary(t, nil, append([]string{"validate"}, args...)...)
			checkRun(t, code, out, c.code, c.want)
		})
	}
}

// TestValidateLive runs `aposproxy validate -live` on each engine: the
// shop's file passes against its database and the inventory service; a
// file with a misspelt column, a missing table, a users table's missing
// column and a service that does not answer reports all four at once, at
// their lines.
func TestValidateLive(t *testing.T) {
	t.Parallel()
	inventory := testkit.Serve(t, service.New("dev-inventory-token").Handler())
	shop := testkit.ShopConfig(t)
	bad := strings.NewReplacer(`column = "in_stock"`, `column = "in_stok"`, `table = "articles"`, `table = "articlez"`,
		`password = "pw_hash"`, `password = "pw_hsh"`, `INVENTORY_URL:-http://127.0.0.1:4100`, `INVENTORY_BAD_URL:-http://127.0.0.1:1`).Replace(shop)
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		env := []string{"SHOP_DB_DRIVER=" + e.Name, "SHOP_DB_DSN=" + shopDatabase(t, e), "INVENTORY_URL=" + inventory}
		dir := t.TempDir()
		good, broken := filepath.Join(dir, "good.toml"), filepath.Join(dir, "bad.toml")
		for path, text := range map[string]string{good: shop, broken: bad} {
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		code, out := runBinary(t, env, "validate", "-live", "-config", good)
		checkRun(t, code, out, 0, []string{fmt.Sprintf("ok (%d types, checked live)", typeCount(shop))})
		code, out = runBinary(t, env, "validate", "-live", "-config", broken)
		at := func(line string) string { return fmt.Sprintf("bad.toml:%d: ", lineOf(t, bad, line)) }
		checkRun(t, code, out, 1, []string{
			at("[types.product]") + `types.product: table "products" has no column "in_stok" (field inStock)`,
			at("[types.article]") + `types.article: table "articlez" cannot be read`,
			at("[types.inventory-item]") + `types.inventory-item: the service did not answer`,
			at(`password = "pw_hsh"`) + `auth.tables[0].password: table "users" has no column "pw_hsh"`,
			"4 mistake(s) found against the live backends"})
	})
}

// lineOf is the number of the first line of text that is line.
func lineOf(t *testing.T, text, line string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == line {
			return i + 1
		}
	}
	t.Fatalf("no line %q", line)
	return 0
}

// typeCount is the number of [types.<name>] tables of a config's text.
func typeCount(text string) int {
	return len(regexp.MustCompile(`(?m)^\[types\.("[^"]+"|[A-Za-z0-9_-]+)\]$`).FindAllString(text, -1))
}

// checkRun checks a command's exit code and that its output says each of
// want.
func checkRun(t *testing.T, code int, out string, wantCode int, want []string) {
	t.Helper()
	if code != wantCode {
		t.Fatalf("exit code %d, want %d; output:\n%s", code, wantCode, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output does not say %q:\n%s", w, out)
		}
	}
}
