package legacy_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/examples/legacy"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

const adminKey = "legacy-admin-key"

// bookshop is the example served on one engine.
type bookshop struct {
	t      *testing.T
	engine string
	base   string  // http://.../api/v1
	db     *sql.DB // the legacy database, seen from outside the proxy
	dsn    string
}

// database is a fresh database of e with the bookshop loaded (SQLite: a
// file the configuration bootstraps).
func database(t *testing.T, e testkit.Engine) string {
	t.Helper()
	dsn := e.Fresh(t)
	if e != testkit.SQLite {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := legacy.Load(ctx, e.Name, dsn); err != nil {
			t.Fatal(err)
		}
	}
	return dsn
}

// parse reads config.toml, changed by edit, for engine e at dsn, with the
// proxy's own files in a temporary directory.
func parse(t *testing.T, e testkit.Engine, dsn string, edit func(string) string) (*config.Config, error) {
	t.Helper()
	src, err := os.ReadFile("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	if edit != nil {
		text = edit(text)
	}
	t.Setenv("LEGACY_DB_DRIVER", e.Name)
	t.Setenv("LEGACY_DB_DSN", dsn)
	t.Setenv("LEGACY_ADMIN_APIKEY", adminKey)
	dir := t.TempDir()
	text += "\n[jobs]\nfile = \"" + filepath.Join(dir, "jobs.db") + "\"\n"
	abs, _ := filepath.Abs(".")
	return config.Parse([]byte(text), abs)
}

// build builds the proxy as the binary does, logging to log.
func build(t *testing.T, cfg *config.Config, log io.Writer) (*app.Program, error) {
	t.Helper()
	return app.Build(t.Context(), cfg, slog.New(slog.NewTextHandler(log, nil)), app.Options{})
}

// serve starts the example on e, its configuration changed by edit.
func serve(t *testing.T, e testkit.Engine, edit func(string) string) *bookshop {
	t.Helper()
	dsn := database(t, e)
	cfg, err := parse(t, e, dsn, edit)
	if err != nil {
		t.Fatal(err)
	}
	p, err := build(t, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	b := &bookshop{t: t, engine: e.Name, dsn: dsn, base: testkit.ServeServer(t, p.Server(cfg)) + "/api/v1"}
	b.db = open(t, e.Name, dsn)
	return b
}

// open opens the database at dsn from outside the proxy.
func open(t *testing.T, engine, dsn string) *sql.DB {
	t.Helper()
	driver := map[string]string{"sqlite": "sqlite", "postgres": "pgx", "mysql": "mysql"}[engine]
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// do sends a request as the admin key.
func (b *bookshop) do(method, path, body string) testkit.Response {
	b.t.Helper()
	return testkit.Do(b.t, method, b.base+path, body, testkit.APIKey(adminKey)...)
}

// count counts the rows of table (a quoted name) where cond holds.
func (b *bookshop) count(table, cond string) int {
	b.t.Helper()
	q := `SELECT COUNT(*) FROM ` + table + ` WHERE ` + cond
	if b.engine == "mysql" {
		q = strings.ReplaceAll(q, `"`, "`")
	}
	var n int
	if err := b.db.QueryRow(q).Scan(&n); err != nil {
		b.t.Fatal(err)
	}
	return n
}

func want(t *testing.T, r testkit.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
}

// A composite-key type reads, writes and deletes exactly one row.
func TestCompositeKey(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		b := serve(t, e, nil)
		r := b.do("GET", "/book-tag?perPage=50", "")
		want(t, r, 200)
		if n := gjson.Get(r.Body, "results.#").Int(); n != 6 {
			t.Fatalf("%d tags, want 6: %s", n, r.Body)
		}
		ids := gjson.Get(r.Body, "results.#._id").Array()
		if ids[0].String() != "1_classic" {
			t.Errorf("first id %s, want 1_classic (sorted by the key's columns)", ids[0])
		}
		var slashed string
		for _, id := range ids {
			if strings.HasPrefix(id.String(), "b64-") {
				slashed = id.String()
			}
		}
		r = b.do("GET", "/book-tag/"+slashed, "")
		want(t, r, 200)
		if gjson.Get(r.Body, "weight").Int() != 1 {
			t.Errorf("ledger/accounts tag: %s", r.Body)
		}
		want(t, b.do("GET", "/book-tag/1_classic", ""), 200)
		want(t, b.do("GET", "/book-tag/1", ""), 404)
		want(t, b.do("GET", "/book-tag/9_classic", ""), 404)

		r = b.do("PATCH", "/book-tag/1_print", `{"weight": 7}`)
		want(t, r, 200)
		if b.count(`"BookTag"`, `"Weight" = 7`) != 1 || b.count(`"BookTag"`, `"BookId" = 1 AND "Tag" = 'classic' AND "Weight" = 3`) != 1 {
			t.Errorf("the PATCH of 1_print changed other rows")
		}
		want(t, b.do("DELETE", "/book-tag/1_print", ""), 200)
		if n := b.count(`"BookTag"`, "1 = 1"); n != 5 {
			t.Errorf("%d rows after one DELETE, want 5", n)
		}
		r = b.do("POST", "/book-tag", `{"_createId": "4_margins", "weight": 2}`)
		want(t, r, 200)
		if id := gjson.Get(r.Body, "_id").String(); id != "4_margins" || b.count(`"BookTag"`, `"BookId" = 4 AND "Tag" = 'margins'`) != 1 {
			t.Errorf("created %s: %s", id, r.Body)
		}
		r = b.do("POST", "/book-tag", `{"weight": 2}`)
		want(t, r, 400)
		if p := gjson.Get(r.Body, "data.errors.0.path").String(); p != "_createId" || !strings.Contains(r.Body, "BookId, Tag") {
			t.Errorf("a tag without _createId: %s", r.Body)
		}
	})
}

// A type whose key is not unique does not start, naming the key path,
// unless it is read_only: then it starts and logs a warning. A view's
// key is checked by a query.
func TestKeyNotUnique(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		dsn := database(t, e)
		writable := func(s string) string {
			return strings.Replace(s, "key = \"BookId\"\nread_only = true", "key = \"BookId\"", 1)
		}
		cfg, err := parse(t, e, dsn, writable)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := build(t, cfg, io.Discard); err == nil || !strings.Contains(err.Error(), "types.loan.key:") {
			t.Fatalf("a non-unique key started: %v", err)
		}
		cfg, err = parse(t, e, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		var log testkit.Buffer
		defer slog.SetDefault(slog.Default())
		slog.SetDefault(slog.New(slog.NewTextHandler(&log, nil)))
		p, err := build(t, cfg, &log)
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		if !strings.Contains(log.String(), "types.loan.key") || strings.Contains(log.String(), "types.author-card.key") {
			t.Errorf("the start's log:\n%s", log.String())
		}
	})
}

// new_keys: max+1 under concurrency, the database's identity, a key
// without default, and (PostgreSQL) a named sequence.
func TestKeyStrategies(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		b := serve(t, e, nil)
		const workers, each = 6, 4
		var wg sync.WaitGroup
		ids := make(chan string, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					r := testkit.Do(t, "POST", b.base+"/author", fmt.Sprintf(`{"title": "Writer %d-%d", "mentorId": 1}`, w, i), testkit.APIKey(adminKey)...)
					if r.Status != 200 {
						t.Errorf("POST /author: %d %s", r.Status, r.Body)
						return
					}
					ids <- gjson.Get(r.Body, "_id").String()
				}
			}()
		}
		wg.Wait()
		close(ids)
		seen := map[string]bool{}
		for id := range ids {
			if seen[id] {
				t.Errorf("id %s given twice", id)
			}
			seen[id] = true
		}
		if len(seen) != workers*each || b.count(`"Author"`, "1 = 1") != 4+workers*each || !seen["5"] || !seen[fmt.Sprint(4+workers*each)] {
			t.Errorf("max+1 gave %v", seen)
		}
		r := b.do("POST", "/book", `{"title": "Fresh", "authorId": 2, "price": 3.5}`)
		want(t, r, 200)
		if id := gjson.Get(r.Body, "_id").String(); id != "6" {
			t.Errorf("the identity gave %s", id)
		}
	})
}

// A key column without a default and new_keys = "database": the error
// names the key and _createId; PostgreSQL's sequences serve "sequence".
func TestKeyWithoutDefault(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		b := serve(t, e, func(s string) string { return strings.Replace(s, `new_keys = "max+1"`, `new_keys = "database"`, 1) })
		r := b.do("POST", "/author", `{"title": "Nobody"}`)
		want(t, r, 400)
		if p := gjson.Get(r.Body, "data.errors.0.path").String(); p != "_createId" || !strings.Contains(r.Body, "AuthorId") {
			t.Errorf("a key without default: %s", r.Body)
		}
		want(t, b.do("POST", "/author", `{"title": "Chosen", "_createId": "77"}`), 200)
		if e.Name != "postgres" {
			return
		}
		b = serve(t, e, func(s string) string {
			return strings.Replace(s, `new_keys = "max+1"`, "new_keys = \"sequence\"\nkey_sequence = \"\\\"AuthorSeq\\\"\"", 1)
		})
		r = b.do("POST", "/author", `{"title": "Sequenced"}`)
		want(t, r, 200)
		if id := gjson.Get(r.Body, "_id").String(); id != "1000" {
			t.Errorf("the sequence gave %s", id)
		}
	})
}
