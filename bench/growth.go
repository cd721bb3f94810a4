package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	shopfixture "github.com/aposproxy/aposproxy/examples/shop"
	"github.com/valyala/fasthttp"
)

// The growth run (`go run ./bench -growth`): how the cost of a request
// grows with the work, on SQLite and, when APOSPROXY_TEST_POSTGRES_DSN is
// set, on PostgreSQL. It writes bench/results/<date>-growth.md and its
// charts, and nothing else.
var (
	growthMode   = flag.Bool("growth", false, "measure how cost grows with the data instead of the suite (writes <date>-growth.md)")
	growthRound  = flag.Duration("growth-round", time.Second, "growth run: length of one measurement (at least 3 requests)")
	growthSizes  = flag.String("growth-sizes", "1000,100000,1000000", "growth run: the products table's sizes, in rows")
	growthCurves = flag.String("growth-curves", "rows,sweep,related,tree", "growth run: the curves to measure (rows: the product routes, with the page sizes and the count; sweep: the first read after a bulk load without slugs; related; tree)")
	growthCPU    = flag.String("growth-cpuprofile", "", "growth run: write a CPU profile of the whole run (the proxy serves in-process) to `FILE`")
	growthEngs   = flag.String("growth-engines", "sqlite,postgres", "growth run: the engines to measure (postgres needs APOSPROXY_TEST_POSTGRES_DSN)")
)

// growthWants reports whether -growth-curves lists curve.
func growthWants(curve string) bool {
	return slices.Contains(strings.Split(*growthCurves, ","), curve)
}

// growthPoint is one measurement: x (rows, perPage, pages) and the cost of
// one request there, on one connection (so the time is the request's own).
type growthPoint struct {
	x        int64
	n        int     // requests timed
	ms, p90  float64 // median and 90th percentile, ms
	first    float64 // the first request after the data grew, ms (untimed by the round)
	queries  int64   // statements of one request
	failures int
}

// growthCurve is one route's cost along one dimension.
type growthCurve struct {
	name   string
	route  string // the path and query, with {x} where x goes
	points []growthPoint
	plans  []plan // of its statements at the largest x
}

// plan is the engine's plan of one statement.
type plan struct{ query, text string }

// countShare is the list's total count against its page at the largest
// table, with and without an index that serves the list's order.
type countShare struct {
	index                string
	list, countOnly      growthPoint // through the proxy
	pageStmt, countStmt  growthPoint // the statements alone, over database/sql
	pageQuery, countText string
	pagePlan, countPlan  string
}

// growthEngine is everything measured on one engine.
type growthEngine struct {
	label                        string
	rows, perPage, related, tree []*growthCurve
	// sweep is the first read of the products after their slugs were
	// deleted: the proxy's sweep of the locale (its first request).
	sweep []*growthCurve
	count []countShare
	// cachedList and cachedCount are the list of 10 and count=1 with the
	// order index and count_cache, at the largest table.
	cachedList, cachedCount growthPoint
	took                    time.Duration
}

// growthRun measures one engine: aposproxy's real handler over the shop,
// whose statements are counted and recorded, and a pool of its own to
// generate data and ask for plans.
type growthRun struct {
	engine string
	round  time.Duration
	proxy  *server
	cached *server // the same shop with count_cache on products
	rec    *recorder
	db     *sql.DB
	gen    *growthDB
	client *fasthttp.Client
}

// growth runs every engine available and writes the report.
func (s *suite) growth(ctx context.Context, results string) error {
	var err error
	if s.root, err = repoRoot(); err != nil {
		return err
	}
	if s.tmp, err = os.MkdirTemp("", "aposproxy-growth"); err != nil {
		return err
	}
	defer os.RemoveAll(s.tmp)
	sizes, err := parseSizes(*growthSizes)
	if err != nil {
		return err
	}
	if *growthCPU != "" {
		f, err := os.Create(*growthCPU)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	started := time.Now()
	var engines []*growthEngine
	for _, e := range []struct{ name, label, env string }{
		{"sqlite", "SQLite", ""},
		{"postgres", "PostgreSQL", "APOSPROXY_TEST_POSTGRES_DSN"},
	} {
		if !slices.Contains(strings.Split(*growthEngs, ","), e.name) {
			continue
		}
		dsn := ""
		if e.env != "" {
			if dsn = os.Getenv(e.env); dsn == "" {
				s.notes = append(s.notes, fmt.Sprintf("%s was not measured: %s is not set.", e.label, e.env))
				continue
			}
		}
		t0 := time.Now()
		ge, err := s.growthEngine(ctx, e.name, e.label, dsn, sizes)
		if err != nil {
			return fmt.Errorf("growth on %s: %w", e.label, err)
		}
		ge.took = time.Since(t0)
		engines = append(engines, ge)
	}
	if !filepath.IsAbs(results) {
		results = filepath.Join(s.root, results)
	}
	return s.writeGrowth(results, engines, sizes, time.Since(started))
}

func parseSizes(v string) ([]int64, error) {
	var sizes []int64
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || n < 200 {
			return nil, fmt.Errorf("-growth-sizes: %q is not a size of at least 200 rows", f)
		}
		sizes = append(sizes, n)
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	return sizes, nil
}

// growthEngine serves the shop on engine and measures every dimension.
func (s *suite) growthEngine(ctx context.Context, engine, label, dsn string, sizes []int64) (*growthEngine, error) {
	s.logf("growth: starting the shop on %s", label)
	genDSN := ""
	if engine == "sqlite" {
		dsn = "file:" + filepath.Join(s.tmp, "growth-sqlite.db")
		// The generating pool's page cache holds the indexes it fills.
		genDSN = dsn + "?_pragma=cache_size(-262144)"
	} else {
		var drop func()
		var err error
		if dsn, drop, err = shopfixture.Fresh(ctx, engine, dsn, "bench_growth_"); err != nil {
			return nil, err
		}
		defer drop()
	}
	os.Setenv("SHOP_DB_DRIVER", engine)
	os.Setenv("SHOP_DB_DSN", dsn)
	data, err := os.ReadFile(filepath.Join(s.root, "config.toml"))
	if err != nil {
		return nil, err
	}
	// The first read after a bulk load gives slugs to every new record of
	// its locale, which takes longer than the shop's 5s at 10^5 rows and
	// more: the run times it apart instead of failing it.
	const timeout = `request_timeout = "5s"`
	if !bytes.Contains(data, []byte(timeout)) {
		return nil, fmt.Errorf("config.toml: no %s to raise for the growth run", timeout)
	}
	data = bytes.Replace(data, []byte(timeout), []byte(`request_timeout = "10m"`), 1)
	r := &growthRun{engine: engine, round: *growthRound, rec: &recorder{},
		client: &fasthttp.Client{MaxConnsPerHost: 4, ReadTimeout: 10 * time.Minute}}
	proxy, stop, err := startCounted(ctx, s.root, data, r.rec)
	if err != nil {
		return nil, err
	}
	defer stop()
	r.proxy = proxy
	// The remedy for a count that costs more than its page: the same
	// shop with the products' totals kept for a while.
	const product = "[types.product]\n"
	if !bytes.Contains(data, []byte(product)) {
		return nil, fmt.Errorf("config.toml: no %s", product)
	}
	cached := bytes.Replace(data, []byte(product), []byte(product+"count_cache = \""+countCacheTTL+"\"\n"), 1)
	if r.cached, stop, err = startProxy(ctx, s.root, cached); err != nil {
		return nil, err
	}
	defer stop()
	if genDSN == "" {
		genDSN = dsn
	}
	if r.db, err = openBaselineDB(engine, genDSN); err != nil {
		return nil, err
	}
	defer r.db.Close()
	r.gen = &growthDB{engine: engine, db: r.db}
	if err := r.gen.prepare(ctx); err != nil {
		return nil, err
	}
	ge := &growthEngine{label: label}
	if growthWants("rows") || growthWants("sweep") {
		if err := r.tableSize(ctx, ge, sizes); err != nil {
			return nil, err
		}
	}
	if growthWants("related") {
		if err := r.relationships(ctx, ge); err != nil {
			return nil, err
		}
	}
	if growthWants("tree") {
		if err := r.pageTrees(ctx, ge); err != nil {
			return nil, err
		}
	}
	return ge, nil
}

// countCacheTTL is the count_cache the run measures.
const countCacheTTL = "10s"

// rowRoutes are the product routes measured at each table size.
var rowRoutes = []struct{ name, route string }{
	{"GET one", "/api/v1/product/{id}:en:published"},
	{"list, page 1", "/api/v1/product?perPage=10"},
	{"list, page 1,000", "/api/v1/product?perPage=10&page=1000"},
	{"search", "/api/v1/product?perPage=10&search=zebra"},
	{"filter, indexed column (categoryId)", "/api/v1/product?perPage=10&categoryId=150"},
	{"filter, unindexed column (color)", "/api/v1/product?perPage=10&color=red"},
	{"choices=color", "/api/v1/product?perPage=10&choices=color"},
	{"counts=color", "/api/v1/product?perPage=10&counts=color"},
}

// tableSize grows the products table through sizes, measuring every row
// route at each, the page sizes at the size nearest 10^5, and the count's
// share and the plans at the largest.
func (r *growthRun) tableSize(ctx context.Context, ge *growthEngine, sizes []int64) error {
	rows := growthWants("rows")
	if rows {
		for _, rt := range rowRoutes {
			ge.rows = append(ge.rows, &growthCurve{name: rt.name, route: rt.route})
		}
	}
	var sweep *growthCurve
	if growthWants("sweep") {
		sweep = &growthCurve{name: "list of 10 after the slugs were deleted: the sweep (`first`)", route: sweepRoute}
		ge.sweep = []*growthCurve{sweep}
	}
	pageSizeAt := sizes[0]
	for _, n := range sizes {
		if n <= 100000 {
			pageSizeAt = n
		}
	}
	for i, n := range sizes {
		t0 := time.Now()
		if err := r.gen.products(ctx, n); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bench: growth: %d product rows generated in %s\n", n, time.Since(t0).Round(time.Millisecond))
		last := i == len(sizes)-1
		for _, c := range ge.rows {
			path := strings.ReplaceAll(c.route, "{id}", r.gen.someProduct())
			p, stmts, err := r.measure(ctx, path, n)
			if err != nil {
				return err
			}
			c.points = append(c.points, p)
			if last {
				c.plans = r.explain(ctx, stmts)
			}
		}
		if sweep != nil {
			p, err := r.sweepAt(ctx, n)
			if err != nil {
				return err
			}
			sweep.points = append(sweep.points, p)
		}
		if !rows {
			continue
		}
		if n == pageSizeAt {
			for _, per := range []int64{10, 50, 200, 1000} {
				if len(ge.perPage) == 0 {
					ge.perPage = []*growthCurve{{name: fmt.Sprintf("list, page 1 (%d rows)", n), route: "/api/v1/product?perPage={x}"}}
				}
				p, _, err := r.measure(ctx, "/api/v1/product?perPage="+strconv.FormatInt(per, 10), per)
				if err != nil {
					return err
				}
				ge.perPage[0].points = append(ge.perPage[0].points, p)
			}
		}
		if last {
			for _, idx := range []string{"", orderIndex(r.engine)} {
				cs, err := r.countShare(ctx, idx)
				if err != nil {
					return err
				}
				ge.count = append(ge.count, cs)
			}
			var err error
			if ge.cachedList, _, err = r.measureOn(ctx, r.cached, "/api/v1/product?perPage=10", 0); err != nil {
				return err
			}
			if ge.cachedCount, _, err = r.measureOn(ctx, r.cached, "/api/v1/product?count=1", 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// sweepRoute is the read that meets the products without slugs.
const sweepRoute = "/api/v1/product?perPage=10"

// sweepAt deletes the products' slugs, as a bulk load of legacy rows
// leaves them, and measures the list that gives them back: its first
// request sweeps the locale (backends/sqlbackend/slugs_sweep.go), the
// next ones only read. The sweep makes the slugs the generator made.
func (r *growthRun) sweepAt(ctx context.Context, n int64) (growthPoint, error) {
	if _, err := r.db.ExecContext(ctx, "DELETE FROM aposproxy_slugs WHERE aposproxy_type = 'product'"); err != nil {
		return growthPoint{}, err
	}
	if err := r.gen.analyze(ctx); err != nil {
		return growthPoint{}, err
	}
	p, _, err := r.measure(ctx, sweepRoute, n)
	return p, err
}

// countShare measures, at the current table size, a list of 10 (its page
// and its total count) against `count=1` (the count alone), and the two
// statements alone over database/sql; after creating index first when
// given.
func (r *growthRun) countShare(ctx context.Context, index string) (countShare, error) {
	cs := countShare{index: "none (the shop's schema: keys only)"}
	if index != "" {
		if _, err := r.db.ExecContext(ctx, index); err != nil {
			return cs, err
		}
		if err := r.gen.analyze(ctx); err != nil {
			return cs, err
		}
		cs.index = "`" + index + "`"
	}
	var stmts []statement
	var err error
	if cs.list, stmts, err = r.measure(ctx, "/api/v1/product?perPage=10", 0); err != nil {
		return cs, err
	}
	page, count := pickStatements(stmts)
	if page == nil || count == nil {
		return cs, fmt.Errorf("the list of 10 ran no page or no count statement (%d statements)", len(stmts))
	}
	if cs.countOnly, _, err = r.measure(ctx, "/api/v1/product?count=1", 0); err != nil {
		return cs, err
	}
	cs.pageQuery, cs.countText = page.query, count.query
	if cs.pageStmt, err = r.measureSQL(ctx, *page); err != nil {
		return cs, err
	}
	if cs.countStmt, err = r.measureSQL(ctx, *count); err != nil {
		return cs, err
	}
	cs.pagePlan, cs.countPlan = r.planOf(ctx, *page), r.planOf(ctx, *count)
	return cs, nil
}

// pickStatements finds a list's page statement (the first with LIMIT)
// and its count (the first SELECT COUNT(*)).
func pickStatements(stmts []statement) (page, count *statement) {
	for i := range stmts {
		q := strings.ToUpper(stmts[i].query)
		switch {
		case page == nil && strings.Contains(q, " LIMIT "):
			page = &stmts[i]
		case count == nil && strings.HasPrefix(q, "SELECT COUNT(*)"):
			count = &stmts[i]
		}
	}
	return page, count
}

// relationships lists 1,000 generated articles (three products each, from
// the join table) by pages of 10, 50 and 200, with and without the
// relationships.
func (r *growthRun) relationships(ctx context.Context, ge *growthEngine) error {
	if err := r.gen.articles(ctx, 1000); err != nil {
		return err
	}
	if err := r.gen.analyze(ctx); err != nil {
		return err
	}
	with := &growthCurve{name: "articles with _products", route: "/api/v1/article?perPage={x}"}
	without := &growthCurve{name: "articles, withRelationships=false", route: "/api/v1/article?perPage={x}&withRelationships=false"}
	for _, per := range []int64{10, 50, 200} {
		for _, c := range []*growthCurve{with, without} {
			p, stmts, err := r.measure(ctx, strings.ReplaceAll(c.route, "{x}", strconv.FormatInt(per, 10)), per)
			if err != nil {
				return err
			}
			c.points = append(c.points, p)
			if per == 200 && c == with {
				c.plans = r.explain(ctx, stmts)
			}
		}
	}
	ge.related = []*growthCurve{with, without}
	return nil
}

// pageTrees grows the page tree to 1,000 and 10,000 pages and measures the
// whole tree and a GET of its deepest page, without and with an index on
// the parent column (the shop's schema has none), analyzed.
func (r *growthRun) pageTrees(ctx context.Context, ge *growthEngine) error {
	const index = "CREATE INDEX growth_pages_parent ON pages (parent_id, lang, status)"
	all := &growthCurve{name: "?all=1", route: "/api/v1/@apostrophecms/page?all=1"}
	deep := &growthCurve{name: "GET the deepest page", route: "/api/v1/@apostrophecms/page/{deepest}"}
	allIdx := &growthCurve{name: "?all=1, (parent_id, lang, status) indexed", route: all.route}
	deepIdx := &growthCurve{name: "GET the deepest page, (parent_id, lang, status) indexed", route: deep.route}
	for _, n := range []int64{1000, 10000} {
		deepest, err := r.gen.pageTree(ctx, n)
		if err != nil {
			return err
		}
		for i, c := range []*growthCurve{all, deep, allIdx, deepIdx} {
			if i == 2 {
				if _, err := r.db.ExecContext(ctx, index); err != nil {
					return err
				}
				if err := r.gen.analyze(ctx); err != nil {
					return err
				}
			}
			p, stmts, err := r.measure(ctx, strings.ReplaceAll(c.route, "{deepest}", deepest), n)
			if err != nil {
				return err
			}
			c.points = append(c.points, p)
			if n == 10000 {
				c.plans = r.explain(ctx, stmts)
			}
		}
		if _, err := r.db.ExecContext(ctx, "DROP INDEX growth_pages_parent"); err != nil {
			return err
		}
	}
	ge.tree = []*growthCurve{all, deep, allIdx, deepIdx}
	return nil
}

// startCounted serves the configuration like startProxy, through r's
// connectors, and without the config's modules (the customer routes, which
// the growth run does not call): their statements ask for the driver's own
// connection, which the recorder wraps.
func startCounted(ctx context.Context, root string, data []byte, r *recorder) (*server, func(), error) {
	cfg, err := config.Parse(data, root)
	if err != nil {
		return nil, nil, err
	}
	cfg.Modules = nil
	sqldb.Hook, sqldb.RawHook = r.wrap, r.recordRaw
	p, err := app.Build(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), app.Options{})
	sqldb.Hook, sqldb.RawHook = nil, nil
	if err != nil {
		return nil, nil, err
	}
	srv, err := serve(p.API.Handler(), p.API.ErrorHandler)
	if err != nil {
		p.Close()
		return nil, nil, err
	}
	return srv, func() { srv.close(); p.Close() }, nil
}

// orderIndex is an index that serves the product list's default order
// (ORDER BY LOWER(name), product_id within a locale and mode), which the
// shop's schema lacks.
func orderIndex(engine string) string {
	if engine == "postgres" {
		return "CREATE INDEX growth_products_sort ON products (lang, status, LOWER(name) NULLS FIRST, product_id)"
	}
	return "CREATE INDEX growth_products_sort ON products (lang, status, LOWER(name), product_id)"
}
