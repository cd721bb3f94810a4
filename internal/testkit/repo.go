package testkit

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Root is the repository's root directory, where config.toml (the shop
// example's configuration) lives.
var Root = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}()

// ShopSQLite points the shop's configuration at a fresh SQLite file for
// the length of the test (SHOP_DB_DRIVER, SHOP_DB_DSN) and returns
// config.toml's path.
func ShopSQLite(tb testing.TB) string {
	tb.Helper()
	tb.Setenv("SHOP_DB_DRIVER", SQLite.Name)
	tb.Setenv("SHOP_DB_DSN", SQLite.Fresh(tb))
	return filepath.Join(Root, "config.toml")
}

// ShopConfig is config.toml's text with its fixture's paths made
// absolute, so that a variant of it written elsewhere still finds the
// shop's SQL files.
func ShopConfig(tb testing.TB) string {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join(Root, "config.toml"))
	if err != nil {
		tb.Fatal(err)
	}
	return strings.ReplaceAll(string(src), `"examples/shop/`, `"`+filepath.Join(Root, "examples", "shop")+"/")
}
