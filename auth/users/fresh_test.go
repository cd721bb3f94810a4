package users

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/config"
)

// engines are the engines to test on, with the variable holding each
// one's DSN (none for SQLite, which always runs).
var engines = []struct{ name, env string }{
	{"sqlite", ""},
	{"postgres", "APOSPROXY_TEST_POSTGRES_DSN"},
	{"mysql", "APOSPROXY_TEST_MYSQL_DSN"},
}

// freshDatabase returns an empty database of engine: a SQLite file, a
// PostgreSQL schema or a MySQL database, dropped at cleanup. An engine
// whose DSN is unset is skipped, except in CI, where that fails the test.
func freshDatabase(t *testing.T, engine, env string) config.Database {
	t.Helper()
	if engine == "sqlite" {
		return config.Database{Driver: "sqlite", DSN: "file:" + filepath.Join(t.TempDir(), "auth.db"), MaxOpen: 4}
	}
	base := os.Getenv(env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must run every engine", env)
		}
		t.Skipf("%s is not set", env)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "authtest_" + hex.EncodeToString(b[:])
	driver := map[string]string{"postgres": "pgx", "mysql": "mysql"}[engine]
	admin, err := sql.Open(driver, base)
	if err != nil {
		t.Fatal(err)
	}
	var dsn string
	if engine == "postgres" {
		_, err = admin.Exec("CREATE SCHEMA " + name)
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		dsn = base + sep + "search_path=" + name
		t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + name + " CASCADE"); admin.Close() })
	} else {
		_, err = admin.Exec("CREATE DATABASE " + name)
		i := strings.LastIndex(base, "/")
		rest := ""
		if q := strings.Index(base[i:], "?"); q >= 0 {
			rest = base[i+q:]
		}
		dsn = base[:i+1] + name + rest
		t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE " + name); admin.Close() })
	}
	if err != nil {
		t.Fatal(err)
	}
	return config.Database{Driver: engine, DSN: dsn, MaxOpen: 4}
}
