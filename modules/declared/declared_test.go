package declared

import (
	_ "embed"
	"log/slog"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/internal/testkit/testproxy"
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
// stock service; build adds the shop's locales (testkit.Locales) and fills
// in {{DIR}} and {{URL}}.
//
//go:embed testdata/config.toml
var testConfig string

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

// build builds the proxy over src with its declared modules, or returns
// the error of the build.
func build(tb testing.TB, src string) (*proxy.Server, error) {
	tb.Helper()
	cfg, _ := testproxy.Config(tb, testkit.Locales+src, map[string]string{"schema.sql": schema}, "URL", testkit.Serve(tb, stockService))
	set := testproxy.Backends(tb, cfg)
	srv := testproxy.New(tb, cfg, set, proxy.Options{Log: slog.New(slog.DiscardHandler)})
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
	return testkit.Serve(t, srv.Handler()) + "/api/v1", nil
}

// do sends one request with an API key ("" for none).
func do(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	r := testkit.Do(t, method, url, body, testkit.APIKey(key)...)
	return r.Status, r.Body
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
