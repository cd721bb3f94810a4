package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// merge posts one merge of the shop's customers as key.
func (s *shop) merge(t *testing.T, key string, from, into any) response {
	t.Helper()
	return s.do(t, "POST", "/customer/merge", key, fmt.Sprintf(`{"from":%v,"into":%v}`, from, into))
}

// customer reads one customer's lifetime value, merged_into and number of
// orders.
func (s *shop) customer(t *testing.T, id int) (value, mergedInto, orders int64) {
	t.Helper()
	r := s.do(t, "GET", fmt.Sprintf("/customer/%d", id), guestKey, "")
	expect(t, r, 200)
	n := s.do(t, "GET", fmt.Sprintf("/order?customerId=%d&count=1", id), guestKey, "")
	expect(t, n, 200)
	return gjson.Get(r.body, "lifetimeValue").Int(), gjson.Get(r.body, "mergedInto").Int(), gjson.Get(n.body, "count").Int()
}

// totals sums the lifetime values of the customers not merged away, and
// counts the orders: merges must keep both.
func (s *shop) totals(t *testing.T) (value, orders int64) {
	t.Helper()
	r := s.do(t, "GET", "/customer?perPage=1000", guestKey, "")
	expect(t, r, 200)
	for _, c := range gjson.Get(r.body, "results").Array() {
		if !c.Get("mergedInto").Exists() || c.Get("mergedInto").Type == gjson.Null {
			value += c.Get("lifetimeValue").Int()
		}
	}
	n := s.do(t, "GET", "/order?count=1", guestKey, "")
	expect(t, n, 200)
	return value, gjson.Get(n.body, "count").Int()
}

// TestCustomerMerge drives the shop's declared POST /customer/merge.
func TestCustomerMerge(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		value0, orders0 := s.totals(t)
		t.Run("roles", func(t *testing.T) {
			expect(t, s.merge(t, "", 5, 6), 403, "name", "forbidden")
			expect(t, s.merge(t, contributorKey, 5, 6), 403, "name", "forbidden")
		})
		t.Run("refusals change nothing", func(t *testing.T) {
			v5, _, o5 := s.customer(t, 5)
			expect(t, s.merge(t, editorKey, 5, 5), 400, "name", "invalid", "message", "A customer cannot be merged into itself.")
			expect(t, s.merge(t, editorKey, 5, 9999), 404, "name", "notfound", "message", "No such customer.")
			expect(t, s.merge(t, editorKey, 9999, 5), 404, "name", "notfound")
			expect(t, s.merge(t, editorKey, `"x"`, `null`), 400, "data.errors.0.path", "from", "data.errors.0.message", "Must be an integer.",
				"data.errors.1.path", "into", "data.errors.1.name", "required")
			if v, m, o := s.customer(t, 5); v != v5 || m != 0 || o != o5 {
				t.Fatalf("customer 5 changed: %d %d %d", v, m, o)
			}
		})
		t.Run("a merge", func(t *testing.T) {
			v5, _, o5 := s.customer(t, 5)
			v6, _, o6 := s.customer(t, 6)
			r := s.merge(t, editorKey, 5, `"6"`)
			expect(t, r, 200, "_id", "6", "lifetimeValue", fmt.Sprint(v5+v6), "_edit", "true", "_mergedInto", "[]")
			if one := s.do(t, "GET", "/customer/6", editorKey, ""); r.body != one.body {
				t.Fatalf("the answer is not the customer as GET shows it:\n%s\n%s", r.body, one.body)
			}
			if v, m, o := s.customer(t, 5); v != v5 || m != 6 || o != 0 {
				t.Fatalf("customer 5: value %d merged into %d with %d orders", v, m, o)
			}
			// The self-relationship through merged_into.
			expect(t, s.do(t, "GET", "/customer/5", editorKey, ""), 200, "_mergedInto.0._id", "6", "_mergedInto.0.title", gjson.Get(r.body, "title").Str)
			if v, m, o := s.customer(t, 6); v != v5+v6 || m != 0 || o != o5+o6 {
				t.Fatalf("customer 6: value %d merged into %d with %d orders, want %d and %d orders", v, m, o, v5+v6, o5+o6)
			}
		})
		t.Run("merged customers", func(t *testing.T) {
			expect(t, s.merge(t, editorKey, 5, 7), 400, "message", "This customer was already merged.")
			expect(t, s.merge(t, editorKey, 7, 5), 400, "message", "Cannot merge into a customer that was itself merged.")
		})
		t.Run("concurrent merges of the same customers: one wins", func(t *testing.T) {
			statuses := concurrently(8, func(i int) int {
				if i%2 == 0 {
					return s.merge(t, editorKey, 10, 11).status
				}
				return s.merge(t, editorKey, 11, 10).status
			})
			if statuses[200] != 1 || statuses[400] != 7 {
				t.Fatalf("statuses %v, want one 200 and seven 400", statuses)
			}
		})
		t.Run("concurrent merges into one customer", func(t *testing.T) {
			var want int64
			for id := 12; id <= 16; id++ {
				v, _, _ := s.customer(t, id)
				want += v
			}
			v17, _, _ := s.customer(t, 17)
			statuses := concurrently(5, func(i int) int { return s.merge(t, adminKey, 12+i, 17).status })
			if statuses[200] != 5 {
				t.Fatalf("statuses %v, want five 200", statuses)
			}
			if v, _, _ := s.customer(t, 17); v != v17+want {
				t.Fatalf("customer 17 has %d, want %d", v, v17+want)
			}
		})
		if value, orders := s.totals(t); value != value0 || orders != orders0 {
			t.Fatalf("totals %d and %d orders, were %d and %d", value, orders, value0, orders0)
		}
	})
}

// concurrently runs f(0..n-1) at once and counts the statuses.
func concurrently(n int, f func(i int) int) map[int]int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counts := map[int]int{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := f(i)
			mu.Lock()
			counts[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}

// probe is a module appended to the shop's configuration: its email route
// stores a value from the query, the body or the context verbatim in a
// customer's email; its REST handlers and named routes are those of
// Apostrophe's restApiRoutes and weird-api-errors tests (C71-C73).
const probe = `
[modules.probe]
database = "shop"

[modules.probe.api_routes.post.":_id/email"]
params.q = { query = "q" }
params.b = { body = "b" }
sql = [{ text = "UPDATE customers SET email = COALESCE(:b, :q, :_locale) WHERE id = :_id", expect_rows = 1, error = "notfound" }]
result = "count"

[modules.probe.rest_api_routes.getAll]
public = true
sql = ["SELECT 'getAll' AS handler"]
[modules.probe.rest_api_routes.post]
sql = ["SELECT 'post' AS handler"]
[modules.probe.rest_api_routes.getOne]
public = true
sql = ["SELECT 'getOne' AS handler, id FROM customers WHERE id = :_id"]
[modules.probe.rest_api_routes.put]
sql = ["SELECT 'put' AS handler, id FROM customers WHERE id = :_id"]
[modules.probe.rest_api_routes.patch]
sql = ["SELECT 'patch' AS handler, id FROM customers WHERE id = :_id"]
[modules.probe.rest_api_routes.delete]
sql = ["SELECT 'delete' AS handler, id FROM customers WHERE id = :_id"]

[modules.probe.api_routes.get.fetchItFine]
public = true
sql = ["SELECT COUNT(*) AS nifty FROM customers WHERE id = 1"]
[modules.probe.api_routes.get.fetchItFailNormal]
public = true
sql = ["WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1001) SELECT i FROM n"]
`

// TestDeclaredConformance replays C71-C73 on declared routes: the REST
// handlers by name with the _id, a kebab-cased name, and a route failing
// at run time (a statement returning more rows than a route may) that is
// a masked 500 while the server goes on.
func TestDeclaredConformance(t *testing.T) {
	t.Parallel()
	config := probeConfig(t)
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		s := startShopWith(t, e, binary, config)
		expect(t, s.do(t, "GET", "/probe", "", ""), 200, "pages", "1", "results.0.handler", "getAll")
		expect(t, s.do(t, "POST", "/probe", adminKey, "{}"), 200, "handler", "post")
		for _, method := range []string{"GET", "PUT", "PATCH", "DELETE"} {
			want := map[string]string{"GET": "getOne", "PUT": "put", "PATCH": "patch", "DELETE": "delete"}[method]
			expect(t, s.do(t, method, "/probe/3", adminKey, "{}"), 200, "handler", want, "id", "3")
		}
		expect(t, s.do(t, "GET", "/probe/fetch-it-fine", "", ""), 200, "nifty", "1")
		expect(t, s.do(t, "GET", "/probe/fetch-it-fail-normal", "", ""), 500, "@this", `{"name":"error","data":{},"message":"An error occurred."}`)
		expect(t, s.do(t, "GET", "/probe/fetch-it-fine", "", ""), 200, "nifty", "1")
	})
}

// TestDeclaredStartRefusals: mistakes that only the start can see stop it
// with exit code 2 and the key path.
func TestDeclaredStartRefusals(t *testing.T) {
	for _, tc := range []struct{ name, change, want string }{
		{"an undeclared parameter", strings.Replace(probe, "COALESCE(:b, :q", "COALESCE(:bb, :q", 1),
			`modules.probe.api_routes.post.":_id/email".sql[0]: :bb is no parameter of the route`},
		{"a missing table", strings.Replace(probe, "SELECT COUNT(*) AS nifty FROM customers", "SELECT COUNT(*) AS nifty FROM customerz", 1),
			"modules.probe.api_routes.get.fetchItFine.sql[0]: "},
		{"a positional placeholder", strings.Replace(probe, "'getOne' AS handler, id FROM customers WHERE id = :_id", "'getOne' AS handler, id FROM customers WHERE id = ?", 1),
			"modules.probe.rest_api_routes.getOne.sql[0]: positional placeholder ?"},
		{"a module of Apostrophe's", probe + "\n[modules.\"@apostrophecms/login\".api_routes.post.login]\nsql = [\"SELECT 1\"]\n",
			`modules."@apostrophecms/login": a module name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.change)
			code, out := runBinary(t, nil, "-config", path, "-listen", testkit.FreeAddr(t))
			if code != 2 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, want 2 and %q:\n%s", code, tc.want, out)
			}
		})
	}
}

// probeConfig writes the shop's configuration with the probe module.
func probeConfig(t *testing.T) string { return writeConfig(t, probe) }

// writeConfig writes the shop's configuration followed by extra.
func writeConfig(t *testing.T, extra string) string {
	return testkit.WriteConfig(t, testkit.ShopConfig(t)+extra, nil)
}

// TestInjection sends SQL through every source of a declared route's
// values: each is stored or compared as a value, never run.
func TestInjection(t *testing.T) {
	t.Parallel()
	config := probeConfig(t)
	const attack = `x'); DROP TABLE customers; --`
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		s := startShopWith(t, e, binary, config)
		value0, orders0 := s.totals(t)
		expect(t, s.do(t, "POST", "/probe/3/email?q="+strings.ReplaceAll(attack, " ", "%20"), adminKey, "{}"), 200, "count", "1")
		expect(t, s.do(t, "GET", "/customer/3", guestKey, ""), 200, "email", attack)
		expect(t, s.do(t, "POST", "/probe/4/email", adminKey, `{"b":"`+attack+`"}`), 200, "count", "1")
		expect(t, s.do(t, "GET", "/customer/4", guestKey, ""), 200, "email", attack)
		expect(t, s.do(t, "POST", "/probe/5/email?aposLocale=fr%27%20OR%20%271", adminKey, "{}"), 200, "count", "1")
		expect(t, s.do(t, "GET", "/customer/5", guestKey, ""), 200, "email", "en")
		r := s.do(t, "POST", "/probe/6%20OR%201=1/email?q=y", adminKey, "{}")
		if r.status != 404 && r.status != 400 && !(r.status == 200 && e.Name == "mysql") {
			t.Fatalf("path: %d %s", r.status, r.body) // MySQL reads '6 OR 1=1' as 6; others find nothing
		}
		expect(t, s.do(t, "GET", "/customer/7", guestKey, ""), 200, "email", "c7@mail.example")
		expect(t, s.merge(t, editorKey, `"3 OR 1=1"`, 4), 400, "data.errors.0.path", "from")
		r = s.do(t, "GET", "/customer/3%20OR%201=1/orders", guestKey, "")
		if r.status == 200 && gjson.Get(r.body, "#").Int() > 2 {
			t.Fatalf("orders of more than customer 3: %s", r.body)
		}
		if value, orders := s.totals(t); value != value0 || orders != orders0 {
			t.Fatalf("totals changed: %d %d, were %d %d", value, orders, value0, orders0)
		}
	})
}

// TestMyDatabase runs examples/mydatabase, a binary with a Go module, on
// the shop's configuration: the guide's module answers as the recorded
// Apostrophe site did (see examples/mydatabase/README.md), next to the declared
// customer/merge and the shop's types.
func TestMyDatabase(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "mydatabase")
	build := exec.Command("go", "build", "-o", bin, "./examples/mydatabase")
	build.Dir = testkit.Root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building examples/mydatabase: %v\n%s", err, out)
	}
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		s := startShopWith(t, e, bin, filepath.Join(testkit.Root, "config.toml"))
		for _, tc := range []struct {
			name, method, path, key, body string
			status                        int
			want                          string
		}{
			{"210 getAll with a key", "GET", "/mydatabase", adminKey, "", 200,
				`{"results":[{"_id":"abc","title":"Alpha","n":1},{"_id":"def","title":"Delta","n":2}],"user":"System Task"}`},
			{"211 getAll anonymous", "GET", "/mydatabase", "", "", 200,
				`{"results":[{"_id":"abc","title":"Alpha","n":1},{"_id":"def","title":"Delta","n":2}],"user":null}`},
			{"212 getOne", "GET", "/mydatabase/abc", "", "", 200, `{"_id":"abc","title":"Alpha","n":1}`},
			{"212 getOne, encoded", "GET", "/mydatabase/%61b%63", "", "", 200, `{"_id":"abc","title":"Alpha","n":1}`},
			{"213 getOne missing", "GET", "/mydatabase/zzz", "", "", 404, `{"name":"notfound","data":{},"message":"notfound"}`},
			{"214 merge anonymous", "POST", "/mydatabase/merge", "", `{"a":[1,2],"b":[3]}`, 403, `{"name":"forbidden","data":{},"message":"forbidden"}`},
			{"215 merge with a key", "POST", "/mydatabase/merge", adminKey, `{"a":["x"],"b":["y"]}`, 200, `{"merged":["x","y"]}`},
			{"216 secret anonymous", "POST", "/mydatabase/secret", "", `{}`, 403,
				`{"name":"forbidden","data":{"hint":"login first"},"message":"You must be logged in"}`},
			{"217 secret with a key", "POST", "/mydatabase/secret", adminKey, `{}`, 200, `{"ok":true}`},
			{"218 hello over getOne", "GET", "/mydatabase/hello?name=oracle", "", "", 200, `{"hello":"oracle"}`},
			{"219 an error with data", "GET", "/mydatabase/invalid", "", "", 400, `{"name":"invalid","data":{"field":"x"},"message":"Bad thing"}`},
			{"220 post anonymous", "POST", "/mydatabase", "", `{"x":1}`, 403, `{"name":"forbidden","data":{},"message":"forbidden"}`},
			{"221 post with a key", "POST", "/mydatabase", adminKey, `{"x":1}`, 200, `{"created":{"_id":"new1","x":1}}`},
			{"patch", "PATCH", "/mydatabase/abc", adminKey, `{"x":1}`, 200, `{"_id":"abc","title":"Alpha","n":1,"x":1}`},
			{"put", "PUT", "/mydatabase/abc", adminKey, `{"title":"A"}`, 200, `{"_id":"abc","title":"A"}`},
			{"delete", "DELETE", "/mydatabase/def", adminKey, "", 200, ``},
			{"delete again", "DELETE", "/mydatabase/def", adminKey, "", 404, `{"name":"notfound","data":{},"message":"notfound"}`},
			{"writes need admin", "PATCH", "/mydatabase/abc", editorKey, `{}`, 403, `{"name":"forbidden","data":{},"message":"forbidden"}`},
			{"merge needs an editor", "POST", "/mydatabase/merge", contributorKey, `{"a":[],"b":[]}`, 403, `{"name":"forbidden","data":{},"message":"forbidden"}`},
			{"draft needs a contributor", "GET", "/mydatabase?aposMode=draft", guestKey, "", 403, `{"name":"forbidden","data":{},"message":"forbidden"}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := s.do(t, tc.method, tc.path, tc.key, tc.body)
				if r.status != tc.status || r.body != tc.want {
					t.Fatalf("%d %s\nwant %d %s", r.status, r.body, tc.status, tc.want)
				}
			})
		}
		t.Run("beside the declared merge and the types", func(t *testing.T) {
			expect(t, s.merge(t, editorKey, 8, 9), 200, "_id", "9")
			expect(t, s.do(t, "GET", "/product/P-1004:fr:published", "", ""), 200, "title", "Table Lumineux")
		})
	})
}
