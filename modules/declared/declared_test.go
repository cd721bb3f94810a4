package declared

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/aposproxy/aposproxy/modules"
	"github.com/aposproxy/aposproxy/proxy"
)

const schema = `CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT, stars INTEGER NOT NULL DEFAULT 0);
INSERT INTO notes (id, title, body, stars) VALUES (1, 'One', 'first', 1);
INSERT INTO notes (id, title, body, stars) VALUES (2, 'Two', 'second', 2);
INSERT INTO notes (id, title, body, stars) VALUES (3, 'Three', 'third', 3);
CREATE TABLE audit (id INTEGER PRIMARY KEY, who TEXT, role TEXT, mode TEXT, locale TEXT, what TEXT);
`

// testConfig declares a module per backend over a notes table and a
// stock service; {{DIR}} and {{URL}} are filled in.
const testConfig = `
[locales]
default = "en"
[[locales.list]]
name = "en"
[[locales.list]]
name = "fr"

[databases.db]
driver = "sqlite"
dsn = "file:{{DIR}}/test.db"
bootstrap = ["{{DIR}}/schema.sql"]

[upstreams.stock]
url = "{{URL}}"

[api_keys.admin]
role = "admin"
secret = "admin-key"
[api_keys.guest]
role = "guest"
secret = "guest-key"

[types.note]
database = "db"
table = "notes"
[[types.note.fields]]
name = "title"
[[types.note.fields]]
name = "stars"
kind = "integer"

[modules.notes]
database = "db"

[modules.notes.rest_api_routes.getAll]
public = true
sql = ["SELECT id, title FROM notes WHERE title LIKE :q ORDER BY id LIMIT :_limit OFFSET :_offset"]
total = "SELECT COUNT(*) FROM notes WHERE title LIKE :q"
params.q = { query = "q" }

[modules.notes.rest_api_routes.getOne]
public = true
sql = ["SELECT id, title, body FROM notes WHERE id = :_id"]

[modules.notes.rest_api_routes.patch]
params.stars = { body = "stars", kind = "integer", required = true }
sql = [
  { text = "UPDATE notes SET stars = :stars WHERE id = :_aposDocId", expect_rows = 1, error = "notfound", message = "No such note." },
  "INSERT INTO audit (who, role, mode, locale, what) VALUES (:_user, :_role, :_mode, :_locale, :_id)",
]
result = "count"

[modules.notes.api_routes.post.star]
role = "guest"
params.id = { body = "note.id", kind = "integer", required = true }
params.by = { body = "by", kind = "integer" }
sql = [
  { text = "SELECT stars FROM notes WHERE id = :id FOR UPDATE", expect_rows = 1, error = "notfound", message = "No such note.", returns = ["old"] },
  "UPDATE notes SET stars = :old + COALESCE(:by, 1) WHERE id = :id",
  { text = "SELECT id FROM notes WHERE id = :id AND stars > 10", expect_rows = 0, error = "conflict", message = "Too many stars." },
]
document = { type = "note", id = "id" }

[modules.notes.api_routes.get.search]
role = "guest"
params.title = { query = "title" }
params.flag = { query = "flag", kind = "boolean" }
params.doc = { query = "doc", kind = "json" }
sql = ["SELECT :title AS title, :flag AS flag, :doc AS doc, :_mode AS mode, :_locale AS locale, :_page AS page, :_perPage AS perPage"]

[modules.notes.api_routes.delete.":_id/body"]
sql = ["UPDATE notes SET body = NULL WHERE id = :_id"]
result = "none"

[modules.notes.api_routes.get.titles]
role = "guest"
sql = ["SELECT title FROM notes ORDER BY id"]
result = "list"

[modules.stock]
upstream = "stock"

[modules.stock.rest_api_routes.getAll]
role = "guest"
params.warehouse = { query = "warehouse" }
call = { path = "/items?warehouse={warehouse}&user={_user}", pick = "data.items", total = "data.total" }

[modules.stock.api_routes.post.restock]
params.sku = { body = "sku", required = true }
params.qty = { body = "qty", kind = "integer", required = true }
params.meta = { body = "meta", kind = "json" }
call = { path = "/items/{sku}/restock", body = { "quantity" = "qty", "by.role" = "_role", "meta" = "meta" }, pick = "item" }

[modules.stock.api_routes.get.":sku"]
role = "guest"
call = { path = "/items/{sku}", pick = "item" }
`

// stockService is the upstream: it echoes what it was sent.
func stockService(ctx *fasthttp.RequestCtx) {
	path := string(ctx.Path())
	switch {
	case path == "/items":
		ctx.SetBodyString(`{"data":{"total":7,"items":[{"sku":"a","q":"` + string(ctx.QueryArgs().Peek("warehouse")) +
			`"},{"sku":"b","user":"` + string(ctx.QueryArgs().Peek("user")) + `"}]}}`)
	case strings.HasSuffix(path, "/restock"):
		ctx.SetBodyString(`{"item":{"path":` + string(gjson.AppendJSONString(nil, string(ctx.RequestURI()))) + `,"sent":` + string(ctx.PostBody()) + `}}`)
	case path == "/items/missing":
		ctx.SetStatusCode(404)
	default:
		ctx.SetBodyString(`{"item":{"uri":` + string(gjson.AppendJSONString(nil, string(ctx.RequestURI()))) + `}}`)
	}
}

// listen serves h on loopback until the test ends.
func listen(tb testing.TB, h fasthttp.RequestHandler) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: h}
	go srv.Serve(ln)
	tb.Cleanup(func() { _ = srv.Shutdown() })
	return "http://" + ln.Addr().String()
}

// build builds the proxy over src with its declared modules, or returns
// the error of the build.
func build(tb testing.TB, src string) (*proxy.Server, error) {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "schema.sql"), []byte(schema), 0o644); err != nil {
		tb.Fatal(err)
	}
	src = strings.NewReplacer("{{DIR}}", dir, "{{URL}}", listen(tb, stockService)).Replace(src)
	cfg, err := config.Parse([]byte(src), dir)
	if err != nil {
		tb.Fatal(err)
	}
	set, err := backends.Open(tb.Context(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(set.Close)
	srv, err := proxy.New(cfg, set.Adapters, proxy.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	mods, err := Modules(tb.Context(), cfg, set, srv)
	if err == nil {
		var routes []endpoint.Route
		if routes, err = modules.Routes(srv, mods...); err == nil {
			err = srv.AddRoutes(routes...)
		}
	}
	return srv, err
}

// start builds the proxy over src and serves it; it returns the API's URL,
// or the error of the build.
func start(t *testing.T, src string) (string, error) {
	t.Helper()
	srv, err := build(t, src)
	if err != nil {
		return "", err
	}
	return listen(t, srv.Handler()) + "/api/v1", nil
}

func do(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "ApiKey "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDeclaredRoutes(t *testing.T) {
	base, err := start(t, testConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path, key, body string
		status                        int
		want                          string // the whole body
	}{
		// SQL: results and paging.
		{"getAll, paged, with its total", "GET", "/notes?q=%25o%25&perPage=1&page=2", "", "", 200,
			`{"pages":2,"currentPage":2,"results":[{"id":2,"title":"Two"}]}`},
		{"getOne", "GET", "/notes/2", "", "", 200, `{"id":2,"title":"Two","body":"second"}`},
		{"getOne finds nothing", "GET", "/notes/9", "", "", 404, `{"name":"notfound","data":{},"message":"notfound"}`},
		{"a named list is an array", "GET", "/notes/titles", "guest-key", "", 200, `[{"title":"One"},{"title":"Two"},{"title":"Three"}]`},
		{"query and context values", "GET", "/notes/search?title=x&flag=true&doc=%7B%22a%22%3A1%7D&aposLocale=fr&page=3", "guest-key", "", 200,
			`{"title":"x","flag":1,"doc":"{\"a\":1}","mode":"published","locale":"fr","page":3,"perPage":50}`},
		{"a missing query value is null", "GET", "/notes/search", "guest-key", "", 200,
			`{"title":null,"flag":null,"doc":null,"mode":"published","locale":"en","page":1,"perPage":50}`},
		{"a value of the wrong kind", "GET", "/notes/search?flag=maybe&doc=%7B", "guest-key", "", 400,
			`{"name":"invalid","data":{"errors":[{"name":"invalid","code":400,"message":"Must be JSON.","data":{},"path":"doc"},{"name":"invalid","code":400,"message":"Must be a boolean.","data":{},"path":"flag"}]},"message":"invalid"}`},
		{"a count, and the context written", "PATCH", "/notes/1:fr:published", "admin-key", `{"stars":5}`, 200, `{"count":1}`},
		{"an expectation fails", "PATCH", "/notes/9", "admin-key", `{"stars":5}`, 404, `{"name":"notfound","data":{},"message":"No such note."}`},
		{"a required value", "PATCH", "/notes/1", "admin-key", `{}`, 400,
			`{"name":"invalid","data":{"errors":[{"name":"required","code":422,"message":"required","data":{},"path":"stars"}]},"message":"invalid"}`},
		{"writes need admin", "PATCH", "/notes/1", "guest-key", `{"stars":5}`, 403, `{"name":"forbidden","data":{},"message":"forbidden"}`},
		{"returns feed later statements; a document answer", "POST", "/notes/star", "guest-key", `{"note":{"id":"3"},"by":4}`, 200,
			`{"_id":"3","aposDocId":"3","type":"note","metaType":"doc","title":"Three","stars":7,"slug":"three","visibility":"public","archived":false}`},
		{"a failed rule rolls back", "POST", "/notes/star", "guest-key", `{"note":{"id":3},"by":4}`, 409, `{"name":"conflict","data":{},"message":"Too many stars."}`},
		{"nothing was kept", "GET", "/note/3", "", "", 200, `{"_id":"3","aposDocId":"3","type":"note","metaType":"doc","title":"Three","stars":7,"slug":"three","visibility":"public","archived":false}`},
		{"none", "DELETE", "/notes/2/body", "admin-key", "", 200, ``},
		// Injection attempts are values.
		{"through the path", "GET", "/notes/1%20OR%201=1", "", "", 404, `{"name":"notfound","data":{},"message":"notfound"}`},
		{"through the query", "GET", "/notes?q=%27%20OR%20%271%27=%271", "", "", 200, `{"pages":0,"currentPage":1,"results":[]}`},
		{"through the body", "POST", "/notes/star", "guest-key", `{"note":{"id":"1; DROP TABLE notes"}}`, 400,
			`{"name":"invalid","data":{"errors":[{"name":"invalid","code":400,"message":"Must be an integer.","data":{},"path":"note.id"}]},"message":"invalid"}`},
		{"through the context", "GET", "/notes/search?aposLocale=fr%27--", "guest-key", "", 200,
			`{"title":null,"flag":null,"doc":null,"mode":"published","locale":"en","page":1,"perPage":50}`},
		// Calls.
		{"a call list with its total", "GET", "/stock?warehouse=a%26b%3Dc&perPage=2", "guest-key", "", 200,
			`{"pages":4,"currentPage":1,"results":[{"sku":"a","q":"a&b=c"},{"sku":"b","user":""}]}`},
		{"a call with a body", "POST", "/stock/restock", "admin-key", `{"sku":"x/../y?z","qty":"4","meta":{"n":[1]}}`, 200,
			`{"path":"/items/x%2F..%2Fy%3Fz/restock","sent":{"by":{"role":"admin"},"meta":{"n":[1]},"quantity":4}}`},
		{"a path parameter", "GET", "/stock/a%20b", "guest-key", "", 200, `{"uri":"/items/a%20b"}`},
		{"a service error", "GET", "/stock/missing", "guest-key", "", 404, `{"name":"notfound","data":{},"message":"notfound"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, tc.method, base+tc.path, tc.key, tc.body)
			if status != tc.status || body != tc.want {
				t.Fatalf("%d %s\nwant %d %s", status, body, tc.status, tc.want)
			}
		})
	}
	t.Run("the audit row holds the context", func(t *testing.T) {
		// The PATCH above wrote its context through bound values.
		status, body := do(t, "GET", base+"/note?perPage=1", "", "")
		if status != 200 || !strings.Contains(body, `"stars":5`) {
			t.Fatalf("%d %s", status, body)
		}
	})
}

func TestDeclaredStartErrors(t *testing.T) {
	for _, tc := range []struct{ name, old, new, want string }{
		{"an undeclared parameter", "WHERE title LIKE :q ORDER", "WHERE title LIKE :qq ORDER",
			"modules.notes.rest_api_routes.getAll.sql[0]: :qq is no parameter of the route"},
		{"a parameter of a later statement", `"UPDATE notes SET stars = :old + COALESCE(:by, 1) WHERE id = :id",`,
			`"UPDATE notes SET stars = :old2 WHERE id = :id",`, "modules.notes.api_routes.post.star.sql[1]: :old2 is no parameter"},
		{"_id without an _id", "SELECT title FROM notes ORDER BY id", "SELECT title FROM notes WHERE id = :_id",
			"modules.notes.api_routes.get.titles.sql[0]: :_id is no parameter"},
		{"a positional placeholder", "SELECT id, title, body FROM notes WHERE id = :_id", "SELECT id FROM notes WHERE id = ?",
			"modules.notes.rest_api_routes.getOne.sql[0]: positional placeholder"},
		{"rows from a statement without", `sql = ["UPDATE notes SET body = NULL WHERE id = :_id"]
result = "none"`, `sql = ["UPDATE notes SET body = NULL WHERE id = :_id"]`,
			`modules.notes.api_routes.delete.":_id/body".result: one needs rows`},
		{"a missing table", "SELECT title FROM notes ORDER BY id", "SELECT title FROM notez ORDER BY id",
			"modules.notes.api_routes.get.titles.sql[0]: SQL logic error: no such table: notez"},
		{"the total", `total = "SELECT COUNT(*) FROM notes WHERE title LIKE :q"`, `total = "SELECT COUNT(*) FROM notes WHERE title LIKE :x"`,
			"modules.notes.rest_api_routes.getAll.total: :x is no parameter"},
		{"a call path", "/items?warehouse={warehouse}&", "/items?warehouse={house}&", "modules.stock.rest_api_routes.getAll.call.path: :house is no parameter"},
		{"a call body", `"by.role" = "_role"`, `"by.role" = "_rank"`, "modules.stock.api_routes.post.restock.call.body.by.role: :_rank is no parameter"},
		{"a document id", `document = { type = "note", id = "id" }`, `document = { type = "note", id = "noteId" }`,
			"modules.notes.api_routes.post.star.document.id: :noteId is no parameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(testConfig, tc.old) {
				t.Fatalf("%q is not in the configuration", tc.old)
			}
			_, err := start(t, strings.Replace(testConfig, tc.old, tc.new, 1))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
