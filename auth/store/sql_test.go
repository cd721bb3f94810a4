package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/auth/internal/sqldb"
	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/auth/store/storetest"
	"github.com/aposproxy/aposproxy/config"
)

// TestSQL runs the suite on SQLite, and on PostgreSQL and MySQL when their
// DSNs are set (always in CI), each in a schema or database of its own.
func TestSQL(t *testing.T) {
	engines := []struct{ name, env string }{
		{"sqlite", ""},
		{"postgres", "APOSPROXY_TEST_POSTGRES_DSN"},
		{"mysql", "APOSPROXY_TEST_MYSQL_DSN"},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			cfg := testDatabase(t, e.name, e.env)
			storetest.Run(t, func(t *testing.T) store.Store {
				db, err := sqldb.Open(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				s, err := store.NewSQL(context.Background(), db, "aposproxy")
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}

// testDatabase returns a fresh database of engine, dropped at cleanup.
func testDatabase(t *testing.T, engine, env string) config.Database {
	if engine == "sqlite" {
		return config.Database{Driver: "sqlite", DSN: "file:" + filepath.Join(t.TempDir(), "sub", "auth.db")}
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
	name := "authstore_" + hex.EncodeToString(b[:])
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
