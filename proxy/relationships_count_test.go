package proxy

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// counter counts the statements sent through the connectors it wraps
// (sqldb.Hook): every execution of a prepared or unprepared statement.
type counter struct{ n atomic.Int64 }

func (c *counter) wrap(conn driver.Connector) driver.Connector { return countingConnector{conn, c} }

type countingConnector struct {
	driver.Connector
	c *counter
}

func (cc countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := cc.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{conn, cc.c}, nil
}

// countingConn offers database/sql no shortcut (no QueryerContext nor
// ExecerContext), so that every statement is prepared and then counted
// as its statement runs.
type countingConn struct {
	driver.Conn
	c *counter
}

func (cn *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := cn.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = cn.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{st, cn.c}, nil
}

func (cn *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := cn.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	//lint:ignore SA1019 the fallback database/sql itself uses
	return cn.Conn.Begin()
}

type countingStmt struct {
	driver.Stmt
	c *counter
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.c.n.Add(1)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.c.n.Add(1)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// relShop serves the shop over SQLite with 60 articles (the fixture's 25
// and 35 more, each with two products), counting its statements.
func relShop(tb testing.TB) (fasthttp.RequestHandler, *counter) {
	tb.Helper()
	c := &counter{}
	sqldb.Hook = c.wrap
	defer func() { sqldb.Hook = nil }()
	tb.Setenv("SHOP_ADMIN_APIKEY", "rel-admin")
	h := shopHandler(tb, shopConfig(tb))
	for i := range 35 {
		body := fmt.Sprintf(`{"title":"Extra article %d","_products":[{"_id":"P-10%02d","_fields":{"relevance":"featured"}},"P-1001"]}`, i, 10+i%20)
		if r := testkit.Call(h, "POST", "/api/v1/article", body, testkit.APIKey("rel-admin")...); r.StatusCode() != 200 {
			tb.Fatalf("POST: %d %s", r.StatusCode(), r.Body())
		}
	}
	return h, c
}

// queriesPerList returns the statements one list of perPage articles
// sends, and how many links it rendered.
func queriesPerList(tb testing.TB, h fasthttp.RequestHandler, c *counter, perPage int, rels bool) (int64, int) {
	uri := "/api/v1/article?perPage=" + strconv.Itoa(perPage)
	if !rels {
		uri += "&withRelationships=false"
	}
	before := c.n.Load()
	r := testkit.Call(h, "GET", uri, "")
	if r.StatusCode() != 200 {
		tb.Fatalf("GET %s: %d %s", uri, r.StatusCode(), r.Body())
	}
	links := 0
	for _, n := range gjson.GetBytes(r.Body(), "results.#._products.#").Array() {
		links += int(n.Int())
	}
	return c.n.Load() - before, links
}

// TestRelationshipQueries: a list's relationships cost the same number of
// statements for 10 articles as for 50 (docs/api-rules.md#171).
func TestRelationshipQueries(t *testing.T) {
	h, c := relShop(t)
	n10, links10 := queriesPerList(t, h, c, 10, true)
	n50, links50 := queriesPerList(t, h, c, 50, true)
	base50, _ := queriesPerList(t, h, c, 50, false)
	t.Logf("statements per list: 10 articles %d (%d links), 50 articles %d (%d links), 50 without relationships %d",
		n10, links10, n50, links50, base50)
	if n10 != n50 || links50 <= links10 || n50-base50 > 3 { // the join table, the products and their count
		t.Fatalf("statements grow with the page: %d for 10, %d for 50 (%d without relationships)", n10, n50, base50)
	}
}

// BenchmarkArticleListRelationships lists 10 and 50 articles with their
// products, beside the same list without relationships (the baseline),
// reporting statements per request.
func BenchmarkArticleListRelationships(b *testing.B) {
	h, c := relShop(b)
	for _, perPage := range []int{10, 50} {
		for _, rels := range []bool{false, true} {
			b.Run(fmt.Sprintf("perPage=%d/relationships=%v", perPage, rels), func(b *testing.B) {
				var stmts int64
				for b.Loop() {
					n, _ := queriesPerList(b, h, c, perPage, rels)
					stmts += n
				}
				b.ReportMetric(float64(stmts)/float64(b.N), "queries/req")
			})
		}
	}
}

// TestRelationshipQueriesDrafts: a list of drafts, some with links of
// their own in the store and some reading the join table's, costs the
// same number of statements for 10 articles as for 50, and so does a
// reverse relationship read in draft mode (docs/api-rules.md#176, #177).
func TestRelationshipQueriesDrafts(t *testing.T) {
	h, c := relShop(t)
	admin := testkit.APIKey("rel-admin")
	for _, id := range []string{"2", "3", "5", "9", "30", "40"} {
		body := `{"_products":[{"_id":"P-1005","_fields":{"relevance":"top"}},"P-1002"]}`
		if r := testkit.Call(h, "PATCH", "/api/v1/article/"+id+":en:draft", body, admin...); r.StatusCode() != 200 {
			t.Fatalf("PATCH %s: %d %s", id, r.StatusCode(), r.Body())
		}
	}
	list := func(perPage int) (int64, string) {
		before := c.n.Load()
		r := testkit.Call(h, "GET", "/api/v1/article?aposMode=draft&perPage="+strconv.Itoa(perPage), "", admin...)
		if r.StatusCode() != 200 {
			t.Fatalf("GET: %d %s", r.StatusCode(), r.Body())
		}
		var two string
		for _, a := range gjson.GetBytes(r.Body(), "results").Array() {
			if a.Get("aposDocId").Str == "2" {
				two = a.Get("productsIds").Raw
			}
		}
		return c.n.Load() - before, two
	}
	n10, _ := list(10)
	n50, two := list(50)
	t.Logf("statements per draft list: 10 articles %d, 50 articles %d", n10, n50)
	if n10 != n50 || two != `["P-1005","P-1002"]` {
		t.Fatalf("draft lists: %d statements for 10, %d for 50; article 2 links %s", n10, n50, two)
	}
	before := c.n.Load()
	r := testkit.Call(h, "GET", "/api/v1/product/P-1005:en:draft", "", admin...)
	if got := gjson.GetBytes(r.Body(), "_articles.#.aposDocId").Raw; !strings.Contains(got, `"40"`) || !strings.Contains(got, `"2"`) {
		t.Fatalf("P-1005's draft articles: %s", got)
	}
	t.Logf("statements of a draft product with its reverse relationships: %d", c.n.Load()-before)
}
