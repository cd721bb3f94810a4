package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestIntrospect runs `aposproxy introspect` on the shop database of each
// engine: the configuration it writes maps the products' key, locale and
// mode columns (with # review: comments) and the foreign keys (with
// # relationship: comments), passes `validate -live`, and serves a list
// and a document.
func TestIntrospect(t *testing.T) {
	t.Parallel()
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		dsn := shopDatabase(t, e)
		if e == testkit.SQLite {
			bootstrapSQLite(t, dsn)
		}
		out := filepath.Join(t.TempDir(), "config.toml")
		code, text := runBinary(t, nil, "introspect", "-driver", e.Name, "-dsn", dsn, "-o", out)
		checkRun(t, code, text, 0, nil)
		gen, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"[types.product]", `key = "product_id"`, `new_keys = "random"`, `locale = { column = "lang" }`,
			`mode = { column = "status", values = { live = "published" } }`, "# review: lang is taken for the locale column (values en, fr)",
			"[types.category]", `name = "title"` + "\n" + `column = "name"`, `name = "priceCents"` + "\n" + `column = "price_cents"` + "\n" + `kind = "integer"`,
			`kind = "password"`, `name = "inStock"` + "\n" + `column = "in_stock"` + "\n" + `kind = "boolean"`, `kind = "json"`, `auto = "update"`,
			"[[locales.list]]\nname = \"fr\""}
		if e != testkit.Engines[2] { // MySQL ignores REFERENCES written on a column
			want = append(want, "# relationship: category_id refers to categories.id (type category).")
		}
		checkRun(t, 0, string(gen), 0, want)
		if code, text := runBinary(t, nil, "introspect", "-driver", e.Name, "-dsn", dsn, "-o", out); code != 2 || !strings.Contains(text, "exists") {
			t.Errorf("an existing -o file: exit code %d, %s", code, text)
		}
		code, text = runBinary(t, nil, "validate", "-live", "-config", out)
		checkRun(t, code, text, 0, []string{"ok (8 types, checked live)"})
		s := startBinary(t, binary, out, []string{"APOSPROXY_ADMIN_KEY=" + adminKey})
		list := s.do(t, "GET", "/product?perPage=2&aposMode=draft", adminKey, "")
		expect(t, list, 200, "currentPage", "1", "results.#", "2", "results.0.aposMode", "draft")
		one := s.do(t, "GET", "/product/P-1001:en:published", adminKey, "")
		expect(t, one, 200, "aposDocId", "P-1001", "aposLocale", "en:published", "type", "product", "inStock", "true")
		expect(t, s.do(t, "GET", "/product", "", ""), 404, "name", "notfound")
	})
	t.Run("usage", func(t *testing.T) {
		code, out := runBinary(t, nil, "introspect", "-driver", "sqlite")
		checkRun(t, code, out, 2, []string{"usage: aposproxy introspect"})
		code, out = runBinary(t, nil, "introspect", "-driver", "sqlite", "-dsn", "file:"+filepath.Join(t.TempDir(), "none.db"))
		checkRun(t, code, out, 1, []string{"no such file"})
	})
}

// bootstrapSQLite creates the shop's SQLite file at dsn, as config.toml's
// bootstrap does.
func bootstrapSQLite(t *testing.T, dsn string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := filepath.Join(testkit.Root, "examples", "shop")
	db, err := sqldb.Open(ctx, config.Database{Driver: "sqlite", DSN: dsn, MaxOpen: 1,
		Bootstrap: []string{filepath.Join(dir, "schema.sqlite.sql"), filepath.Join(dir, "seed.sql")}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}
