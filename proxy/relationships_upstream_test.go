package proxy

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// stockService is a legacy HTTP service of stock lines, each naming a
// shop product by its id (productId), served on loopback by a real
// fasthttp server. It counts the calls it answers.
type stockService struct{ calls atomic.Int64 }

// stockLines are the service's lines: S-01 to S-30, each pointing at a
// product (P-1001 to P-1010 in turn), S-07 at none and S-08 at one that
// does not exist.
func stockLine(i int) string {
	product := `"P-10` + fmt.Sprintf("%02d", 1+(i-1)%10) + `"`
	switch i {
	case 7:
		product = "null"
	case 8:
		product = `"P-9999"`
	}
	return fmt.Sprintf(`{"lineId":"S-%02d","label":"Stock line %d","qty":%d,"productId":%s}`, i, i, i*3, product)
}

func (s *stockService) handle(ctx *fasthttp.RequestCtx) {
	s.calls.Add(1)
	ctx.SetContentType("application/json")
	path := string(ctx.Path())
	if id, ok := strings.CutPrefix(path, "/lines/"); ok {
		n, err := strconv.Atoi(strings.TrimPrefix(id, "S-"))
		if err != nil || n < 1 || n > 30 {
			ctx.SetStatusCode(404)
			ctx.SetBodyString(`{"error":"not found"}`)
			return
		}
		ctx.SetBodyString(stockLine(n))
		return
	}
	start, _ := strconv.Atoi(string(ctx.QueryArgs().Peek("start")))
	count, _ := strconv.Atoi(string(ctx.QueryArgs().Peek("count")))
	var items []string
	for i := start + 1; i <= 30 && len(items) < count; i++ {
		items = append(items, stockLine(i))
	}
	ctx.SetBodyString(`{"items":[` + strings.Join(items, ",") + `],"total":30}`)
}

// stockConfig is the shop's configuration with the stock service as the
// upstream type stock-line, whose productId links to the SQL type product.
const stockConfig = `
[upstreams.stock]
url = "{{URL}}"

[types.stock-line]
upstream = "stock"
key = "lineId"
read_only = true
per_page = 50

[[types.stock-line.fields]]
name = "title"
column = "label"

[[types.stock-line.fields]]
name = "quantity"
column = "qty"
kind = "integer"

[[types.stock-line.fields]]
name = "productId"

[[types.stock-line.fields]]
name = "_product"
kind = "relationship"
type = "product"
key_field = "productId"
project = ["title", "price"]

[types.stock-line.service]
list = { path = "/lines" }
get = { path = "/lines/{key}" }
paging = { offset = "start", limit = "count", max = 100 }
response = { items = "items", total = "total", item = "@this" }
`

// TestUpstreamRelationship: an upstream type's key field loads its SQL
// related documents in one query per page, whatever the page's size
// (docs/api-rules.md#179).
func TestUpstreamRelationship(t *testing.T) {
	svc := &stockService{}
	url := testkit.Serve(t, svc.handle)
	c := &counter{}
	path := testkit.WriteConfig(t, testkit.ShopConfig(t)+stockConfig, nil, "URL", url)
	t.Setenv("SHOP_DB_DRIVER", testkit.SQLite.Name)
	t.Setenv("SHOP_DB_DSN", testkit.SQLite.Fresh(t))
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sqldb.Hook = c.wrap
	h := shopHandler(t, cfg)
	sqldb.Hook = nil

	r := testkit.Call(h, "GET", "/api/v1/stock-line/S-02", "")
	if r.StatusCode() != 200 {
		t.Fatalf("GET: %d %s", r.StatusCode(), r.Body())
	}
	body := r.Body()
	if got := gjson.GetBytes(body, "_product.0._id").Str; got != "P-1002:en:published" ||
		gjson.GetBytes(body, "_product.0.title").Str != "Nordic Shelf" || gjson.GetBytes(body, "_product.0.description").Exists() {
		t.Fatalf("S-02's product: %s", body)
	}
	for _, id := range []string{"S-07", "S-08"} { // no key, a key naming nothing
		r := testkit.Call(h, "GET", "/api/v1/stock-line/"+id, "")
		if r.StatusCode() != 200 || gjson.GetBytes(r.Body(), "_product").Raw != "[]" {
			t.Fatalf("%s: %d %s", id, r.StatusCode(), r.Body())
		}
	}
	// French: the related product in the request's locale.
	r = testkit.Call(h, "GET", "/api/v1/stock-line/S-05?aposLocale=fr", "")
	if got := gjson.GetBytes(r.Body(), "_product.0._id").Str; got != "P-1005:fr:published" {
		t.Fatalf("S-05 in French: %s", r.Body())
	}
	list := func(perPage int) (int64, int) {
		before := c.n.Load()
		r := testkit.Call(h, "GET", "/api/v1/stock-line?perPage="+strconv.Itoa(perPage), "")
		if r.StatusCode() != 200 {
			t.Fatalf("list: %d %s", r.StatusCode(), r.Body())
		}
		n := 0
		for _, p := range gjson.GetBytes(r.Body(), "results.#._product.#").Array() {
			n += int(p.Int())
		}
		return c.n.Load() - before, n
	}
	q10, n10 := list(10)
	q30, n30 := list(30)
	t.Logf("SQL statements per list: 10 lines %d (%d products), 30 lines %d (%d products)", q10, n10, q30, n30)
	if q10 != q30 || n30 <= n10 || n30 < 25 {
		t.Fatalf("statements grow with the page: %d for 10, %d for 30 (%d and %d products)", q10, q30, n10, n30)
	}
}
