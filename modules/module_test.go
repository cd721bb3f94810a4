package modules

import (
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/internal/testkit/testproxy"
	"github.com/aposproxy/aposproxy/proxy"
)

// testConfig serves one SQLite type, customer, readable by editors only,
// with a key per role, in the shop's locales (testkit.Locales).
//
//go:embed testdata/config.toml
var testConfig string

// server builds the proxy over testConfig with mods registered on it.
func server(t *testing.T, mods ...*Module) (*proxy.Server, error) {
	t.Helper()
	cfg, _ := testproxy.Config(t, testkit.Locales+testConfig, map[string]string{
		"schema.sql": "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nINSERT INTO customers (id, name) VALUES (1, 'Ada');\n"})
	s := testproxy.Build(t, cfg, proxy.Options{Log: slog.New(slog.DiscardHandler)})
	routes, err := Routes(s, mods...)
	if err != nil {
		return s, err
	}
	return s, s.AddRoutes(routes...)
}

// echo answers with the handler's name and what the request carries.
func echo(name string) Handler {
	return func(req *Request) (any, error) {
		id, ok := req.ID()
		user := ""
		if u := req.User(); u != nil {
			user = u.Title
		}
		body, err := req.Body()
		if err != nil {
			return nil, err
		}
		return map[string]any{"handler": name, "mode": req.Mode(), "locale": req.Locale(), "docId": id.DocID,
			"hasId": ok, "role": req.Role().String(), "user": user, "body": json.RawMessage(body.Raw), "q": req.Query("q")}, nil
	}
}

func echoID(name string) IDHandler {
	return func(req *Request, id string) (any, error) {
		v, err := echo(name)(req)
		v.(map[string]any)["_id"] = id
		return v, err
	}
}

// restTest is the module of Apostrophe's restApiRoutes test (C71), with
// the named routes of its weird-api-errors test (C72, C73) and of the
// guide's mydatabase module (examples/mydatabase).
func restTest() *Module {
	return &Module{
		Name:   "rest-test",
		GetAll: echo("getAll"), Post: echo("post"),
		GetOne: echoID("getOne"), Put: echoID("put"), Patch: echoID("patch"), Delete: echoID("delete"),
		APIRoutes: APIRoutes{
			"get": {
				"fetchItFine":       func(*Request) (any, error) { return map[string]bool{"nifty": true}, nil },
				"fetchItFailNormal": func(*Request) (any, error) { return nil, errors.New("internal detail") },
				"fetchItFailWeird":  func(*Request) (any, error) { panic("internal detail") },
				"invalid": func(*Request) (any, error) {
					return nil, apos.NewError("invalid", "Bad thing", map[string]any{"field": "x"})
				},
				"hello":      echo("hello"),
				"nothing":    func(*Request) (any, error) { return nil, nil },
				"raw":        func(*Request) (any, error) { return json.RawMessage(`{"a": [1, 2]}`), nil },
				"text":       func(*Request) (any, error) { return "<b>&</b>", nil },
				":_id/parts": echo("parts"),
			},
			"post": {"merge": echo("merge")},
		},
		Roles: map[string]apos.Role{"getAll": apos.Anonymous, "getOne": apos.Anonymous, "get hello": apos.Anonymous,
			"post merge": apos.Editor, "patch": apos.Contributor},
	}
}

func TestModule(t *testing.T) {
	s, err := server(t, restTest(), &Module{Name: "customer", APIRoutes: APIRoutes{"get": {"stats": echo("stats")}}})
	if err != nil {
		t.Fatal(err)
	}
	base := testproxy.Serve(t, s) + "/api/v1"
	for _, tc := range []struct {
		name, method, path, key, body string
		status                        int
		want                          []string // gjson path, value
	}{
		// C71: the REST handlers by name, _id as given.
		{"getAll", "GET", "/rest-test?q=x", "", "", 200, []string{"handler", "getAll", "user", "", "role", "anonymous", "q", "x", "hasId", "false"}},
		{"post", "POST", "/rest-test", "admin-key", `{"x":1}`, 200, []string{"handler", "post", "body.x", "1", "user", "System Task"}},
		{"getOne", "GET", "/rest-test/1000", "", "", 200, []string{"handler", "getOne", "_id", "1000", "docId", "1000", "mode", "published", "locale", "en"}},
		{"put", "PUT", "/rest-test/1000", "admin-key", "{}", 200, []string{"handler", "put", "_id", "1000"}},
		{"patch", "PATCH", "/rest-test/1000", "contributor-key", "{}", 200, []string{"handler", "patch", "_id", "1000"}},
		{"delete", "DELETE", "/rest-test/1000", "admin-key", "", 200, []string{"handler", "delete", "_id", "1000"}},
		// C72, and named routes winning over /:_id.
		{"kebab-cased name", "GET", "/rest-test/fetch-it-fine", "guest-key", "", 200, []string{"@this", `{"nifty":true}`}},
		{"named route over getOne", "GET", "/rest-test/hello?q=oracle", "", "", 200, []string{"handler", "hello", "q", "oracle"}},
		// C73 and Apostrophe's error names.
		{"a plain error is masked", "GET", "/rest-test/fetch-it-fail-normal", "guest-key", "", 500, []string{"@this", `{"name":"error","data":{},"message":"An error occurred."}`}},
		{"a panic is masked", "GET", "/rest-test/fetch-it-fail-weird", "guest-key", "", 500, []string{"name", "error"}},
		{"an Apostrophe error", "GET", "/rest-test/invalid", "guest-key", "", 400, []string{"@this", `{"name":"invalid","data":{"field":"x"},"message":"Bad thing"}`}},
		{"an unknown route", "GET", "/rest-test/1000/nope", "guest-key", "", 404, []string{"name", "notfound"}},
		// Results.
		{"nil is an empty 200", "GET", "/rest-test/nothing", "guest-key", "", 200, []string{"@this", ""}},
		{"raw JSON as it is", "GET", "/rest-test/raw", "guest-key", "", 200, []string{"@this", `{"a": [1, 2]}`}},
		{"a string", "GET", "/rest-test/text", "guest-key", "", 200, []string{"@this", `"<b>&</b>"`}},
		// Modes, locales and _id parts.
		{"the _id's locale and mode", "GET", "/rest-test/abc:fr:draft", "contributor-key", "", 200, []string{"docId", "abc", "locale", "fr", "mode", "draft", "_id", "abc:fr:draft"}},
		{"a parameter beats the _id", "GET", "/rest-test/abc:fr:draft?aposMode=published&aposLocale=en", "contributor-key", "", 200, []string{"locale", "en", "mode", "published"}},
		{"a named route's :_id", "GET", "/rest-test/abc:fr:published/parts", "guest-key", "", 200, []string{"handler", "parts", "docId", "abc", "locale", "fr"}},
		{"draft _id needs a contributor", "GET", "/rest-test/abc:en:draft", "guest-key", "", 403, []string{"name", "forbidden"}},
		{"draft parameter needs a contributor", "GET", "/rest-test?aposMode=draft", "", "", 403, []string{"name", "forbidden"}},
		{"an unknown locale in the _id", "GET", "/rest-test/abc:de:published", "", "", 404, []string{"name", "notfound"}},
		{"the _id is decoded", "GET", "/rest-test/abc%3Afr%3Apublished", "", "", 200, []string{"_id", "abc:fr:published", "locale", "fr"}},
		{"a foreign _id is passed as it is", "GET", "/rest-test/a.b", "", "", 200, []string{"_id", "a.b", "hasId", "false", "locale", "en"}},
		// Roles.
		{"writes need admin by default", "PUT", "/rest-test/1", "editor-key", "{}", 403, []string{"name", "forbidden"}},
		{"a named write with its role", "POST", "/rest-test/merge", "editor-key", `{"a":[1]}`, 200, []string{"handler", "merge", "body.a.0", "1"}},
		{"below a named write's role", "POST", "/rest-test/merge", "contributor-key", "{}", 403, []string{"name", "forbidden"}},
		{"reads need guest without a type", "GET", "/rest-test/fetch-it-fine", "", "", 403, []string{"name", "forbidden"}},
		{"reads need the type's view role", "GET", "/customer/stats", "guest-key", "", 403, []string{"name", "forbidden"}},
		{"the type's view role reads", "GET", "/customer/stats", "editor-key", "", 200, []string{"handler", "stats"}},
		{"the type beside its module", "GET", "/customer/1", "editor-key", "", 200, []string{"title", "Ada"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testkit.Do(t, tc.method, base+tc.path, tc.body, testkit.APIKey(tc.key)...)
			status, body := r.Status, r.Body
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			for i := 0; i+1 < len(tc.want); i += 2 {
				got := gjson.Get(body, tc.want[i])
				if got.String() != tc.want[i+1] && got.Raw != tc.want[i+1] {
					t.Fatalf("%s = %s, want %s in %s", tc.want[i], got.Raw, tc.want[i+1], body)
				}
			}
		})
	}
}

func TestRoutesRefuse(t *testing.T) {
	h := func(*Request) (any, error) { return nil, nil }
	for _, tc := range []struct {
		name string
		m    *Module
		want string
	}{
		{"no name", &Module{GetAll: h}, "needs a name"},
		{"a type's route", &Module{Name: "customer", GetAll: h}, "module customer: getAll: route GET /api/v1/customer"},
		{"a Roles key without a route", &Module{Name: "m", GetAll: h, Roles: map[string]apos.Role{"post": apos.Guest}}, `the Roles key "post" names no route`},
		{"an unknown method", &Module{Name: "m", APIRoutes: APIRoutes{"fetch": {"x": h}}}, `unknown method "fetch"`},
		{"a wildcard", &Module{Name: "m", APIRoutes: APIRoutes{"get": {":x/*": h}}}, "wildcards"},
		{"two modules on one route", &Module{Name: "rest-test", APIRoutes: APIRoutes{"get": {"fetch-it-fine": h}}}, "module rest-test: get fetch-it-fine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := server(t, restTest(), tc.m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
