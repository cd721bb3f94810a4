package sqldb

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/config"
)

// shopBootstrap is the shop example's SQLite schema and seed.
var shopBootstrap = []string{"../../examples/shop/schema.sqlite.sql", "../../examples/shop/seed.sql"}

// count returns the number of rows of table.
func count(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBootstrap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "shop.db")
	cfg := config.Database{Driver: "sqlite", DSN: path, MaxOpen: 10, Bootstrap: shopBootstrap}

	db, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "products"); n != 120 {
		t.Errorf("seeded %d products, want 120", n)
	}
	run(t, db, "INSERT INTO categories (name) VALUES ('Rugs');")
	db.Close()

	db = open(t, cfg)
	if n := count(t, db, "categories"); n != 7 {
		t.Errorf("%d categories after reopening, want 7: an existing database must never be seeded", n)
	}
}

func TestBootstrapFailure(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.sql")
	if err := os.WriteFile(bad, []byte("CREATE TABLE t (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "shop.db")
	_, err := Open(t.Context(), config.Database{Driver: "sqlite", DSN: path, MaxOpen: 10, Bootstrap: []string{bad}})
	if err == nil {
		t.Fatal("bootstrap of a bad script succeeded")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed bootstrap left the database file (%v): the next start would not retry", err)
	}
}

func TestBootstrapInMemory(t *testing.T) {
	db := open(t, config.Database{Driver: "sqlite", DSN: ":memory:", Bootstrap: shopBootstrap})
	if n := count(t, db, "categories"); n != 6 {
		t.Errorf("%d categories, want 6", n)
	}
}

func TestDSN(t *testing.T) {
	all := "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"
	for _, tc := range []struct{ driver, dsn, want string }{
		{"sqlite", "shop.db", "shop.db?" + all},
		{"sqlite", "file:shop.db?mode=ro", "file:shop.db?mode=ro&" + all},
		{"sqlite", "shop.db?_pragma=busy_timeout(100)&_txlock=deferred",
			"shop.db?_pragma=busy_timeout(100)&_txlock=deferred&_pragma=foreign_keys(1)"},
		{"mysql", "root@tcp(127.0.0.1:3306)/shop", "root@tcp(127.0.0.1:3306)/shop?clientFoundRows=true&parseTime=true&timeout=10s"},
		{"mysql", "root@tcp(127.0.0.1:3306)/shop?parseTime=false&timeout=1s", "root@tcp(127.0.0.1:3306)/shop?clientFoundRows=true&parseTime=true&timeout=1s"},
		{"postgres", "postgres://u@h/db?sslmode=disable", "postgres://u@h/db?sslmode=disable"},
	} {
		d, err := dialectFor(tc.driver)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := d.dsn(tc.dsn); err != nil || got != tc.want {
			t.Errorf("%s %q: got %q %v, want %q", tc.driver, tc.dsn, got, err, tc.want)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"one per line", "CREATE TABLE a (x INT);\nINSERT INTO a VALUES (1);\n",
			[]string{"CREATE TABLE a (x INT);", "INSERT INTO a VALUES (1);"}},
		{"over lines", "CREATE TABLE a (\n  x INT\n);\n", []string{"CREATE TABLE a (\n  x INT\n);"}},
		{"comments dropped", "-- a table;\nCREATE TABLE a (\n  -- x;\n  x INT\n);\n",
			[]string{"CREATE TABLE a (\n  x INT\n);"}},
		{"inner semicolon", "INSERT INTO a VALUES ('x; y');\n", []string{"INSERT INTO a VALUES ('x; y');"}},
		{"no final semicolon", "SELECT 1", []string{"SELECT 1"}},
		{"empty", "\n-- nothing\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SplitStatements(tc.src); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPool checks that the pool has the configured size, that an
// in-memory database keeps its one connection whatever the size, and that
// a pool of no connections is refused rather than left unbounded.
func TestPool(t *testing.T) {
	db := open(t, config.Database{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "p.db"), MaxOpen: 3})
	if n := db.Stats().MaxOpenConnections; n != 3 {
		t.Errorf("max open %d, want 3", n)
	}
	mem := open(t, config.Database{Driver: "sqlite", DSN: ":memory:", MaxOpen: 10})
	if n := mem.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("in memory: max open %d, want 1", n)
	}
	_, err := Open(t.Context(), config.Database{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "z.db")})
	if err == nil || !strings.Contains(err.Error(), "max_open") {
		t.Errorf("max_open 0: error %v, want a refusal", err)
	}
}

// TestJournalMode checks that a SQLite file's journal mode changes only
// when the configuration asks.
func TestJournalMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "legacy.db")
	mode := func(cfg config.Database) string {
		db := open(t, cfg)
		defer db.Close()
		var m string
		if err := db.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	cfg := config.Database{Driver: "sqlite", DSN: "file:" + path, MaxOpen: 1, Bootstrap: shopBootstrap}
	if m := mode(cfg); m != "delete" {
		t.Errorf("journal_mode %q without journal_mode set, want delete (SQLite's own)", m)
	}
	cfg.JournalMode = "wal"
	if m := mode(cfg); m != "wal" {
		t.Errorf("journal_mode %q, want wal", m)
	}
}

// TestOpenFile checks that the proxy's own SQLite file is created with its
// directory, with the settings of every SQLite connection.
func TestOpenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "own.db")
	db, err := OpenFile(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	var fk int
	var mode string
	if err := db.QueryRowContext(t.Context(), "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys %d %v, want 1", fk, err)
	}
	if err := db.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q %v, want wal", mode, err)
	}
	if n := db.Stats().MaxOpenConnections; n != config.FileDatabase(path).MaxOpen {
		t.Errorf("max open %d, want %d", n, config.FileDatabase(path).MaxOpen)
	}
}
