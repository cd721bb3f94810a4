package legacy_test

import (
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/go-sql-driver/mysql"
	"github.com/tidwall/gjson"
)

// readOnly marks the example's database read_only.
func readOnly(s string) string {
	return strings.Replace(s, "[databases.legacy]\n", "[databases.legacy]\nread_only = true\n", 1)
}

// The proxy starts and serves reads over an account that may only
// SELECT, with the database marked read_only, and creates nothing in it:
// no table, no journal mode, no auth file.
func TestReadOnlyAccount(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		dsn := database(t, e)
		admin := open(t, e.Name, dsn)
		roDSN := dsn
		switch e.Name {
		case "sqlite":
			bootstrap(t, dsn)
		case "postgres":
			roDSN = selectOnlyPostgres(t, admin, dsn)
		case "mysql":
			roDSN = selectOnlyMySQL(t, admin, dsn)
		}
		before := tables(t, e.Name, admin)
		var journal string
		if e.Name == "sqlite" {
			_ = admin.QueryRow("PRAGMA journal_mode").Scan(&journal)
		}
		cfg, err := parse(t, e, roDSN, readOnly)
		if err != nil {
			t.Fatal(err)
		}
		wd := t.TempDir()
		t.Chdir(wd)
		p, err := build(t, cfg, os.Stderr)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		base := testkit.ServeServer(t, p.Server(cfg)) + "/api/v1"
		r := testkit.Do(t, "GET", base+"/book?perPage=10", "", testkit.APIKey(adminKey)...)
		want(t, r, 200)
		if n := gjson.Get(r.Body, "results.#").Int(); n != 5 {
			t.Errorf("%d books, want 5", n)
		}
		want(t, testkit.Do(t, "GET", base+"/book-tag/3_classic", "", testkit.APIKey(adminKey)...), 200)
		want(t, testkit.Do(t, "POST", base+"/book", `{"title": "No", "authorId": 1}`, testkit.APIKey(adminKey)...), 403)
		if after := tables(t, e.Name, admin); !slices.Equal(before, after) {
			t.Errorf("tables before %v, after %v", before, after)
		}
		if e.Name == "sqlite" {
			var now string
			_ = admin.QueryRow("PRAGMA journal_mode").Scan(&now)
			if now != journal || now == "wal" {
				t.Errorf("journal mode %q, was %q", now, journal)
			}
		}
		if _, err := os.Stat(filepath.Join(wd, "data", "aposproxy-auth.db")); err == nil {
			t.Errorf("an auth file was made without [auth]")
		}
	})
}

// tables lists the tables and views of the database db uses.
func tables(t *testing.T, engine string, db *sql.DB) []string {
	t.Helper()
	q := map[string]string{
		"sqlite":   "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')",
		"postgres": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
		"mysql":    "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
	}[engine]
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// bootstrap creates and seeds the SQLite file at dsn, as the proxy does
// for a configuration that lists bootstrap files, and nothing else.
func bootstrap(t *testing.T, dsn string) {
	t.Helper()
	abs, _ := filepath.Abs(".")
	db, err := sqldb.Open(t.Context(), config.Database{Driver: "sqlite", DSN: dsn, MaxOpen: 1,
		Bootstrap: []string{filepath.Join(abs, "sqlite.sql"), filepath.Join(abs, "seed.sql")}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// selectOnlyPostgres makes a role that may log in and only read the
// schema of dsn, dropped at cleanup, and returns its DSN.
func selectOnlyPostgres(t *testing.T, admin *sql.DB, dsn string) string {
	t.Helper()
	var schema string
	if err := admin.QueryRow("SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	role := "ro_" + strings.ToLower(rand.Text()[:10])
	testkit.Exec(t, admin, "CREATE ROLE "+role+" LOGIN PASSWORD 'ro-secret'",
		"GRANT USAGE ON SCHEMA "+schema+" TO "+role,
		"GRANT SELECT ON ALL TABLES IN SCHEMA "+schema+" TO "+role)
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP OWNED BY " + role)
		_, _ = admin.Exec("DROP ROLE " + role)
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "ro-secret")
	return u.String()
}

// selectOnlyMySQL makes a user that may only SELECT in the database of
// dsn, dropped at cleanup, and returns its DSN.
func selectOnlyMySQL(t *testing.T, admin *sql.DB, dsn string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	user := "ro_" + strings.ToLower(rand.Text()[:10])
	testkit.Exec(t, admin, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'ro-secret'",
		"GRANT SELECT ON `"+cfg.DBName+"`.* TO '"+user+"'@'%'")
	t.Cleanup(func() { _, _ = admin.Exec("DROP USER '" + user + "'@'%'") })
	cfg.User, cfg.Passwd = user, "ro-secret"
	return cfg.FormatDSN()
}
