package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/config"
	shopfixture "github.com/aposproxy/aposproxy/examples/shop"
	"github.com/valyala/fasthttp"
	_ "modernc.org/sqlite" // the baseline opens the shop's SQLite file
)

// server is a fasthttp server of the suite's own process on a loopback
// port. It counts the requests it answers, so that the process's
// allocations during a run can be divided among them: the load generator
// runs in another process and allocates nothing here.
type server struct {
	url string // http://127.0.0.1:port
	n   atomic.Int64
	srv *fasthttp.Server
}

// serve starts h on a free loopback port.
func serve(h fasthttp.RequestHandler, errorHandler func(*fasthttp.RequestCtx, error)) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{url: "http://" + ln.Addr().String()}
	s.srv = &fasthttp.Server{
		Handler:      func(ctx *fasthttp.RequestCtx) { s.n.Add(1); h(ctx) },
		ErrorHandler: errorHandler,
		Name:         "aposproxy",
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 30 * time.Second,
		IdleTimeout:  time.Minute,
	}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *server) close() { _ = s.srv.Shutdown() }

// startProxy serves the configuration data (config.toml's text, perhaps
// with more types) with aposproxy's real handler, as main.go does, but
// without relationship fields and fields the proxy keeps itself (the
// product's image): the baselines write the legacy rows' own fields, and
// relationships have benchmarks of their own (queries per request, in
// proxy/relationships_count_test.go and the growth report).
func startProxy(ctx context.Context, root string, data []byte) (*server, func(), error) {
	cfg, err := config.Parse(data, root)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range cfg.Types {
		t.Relationships, t.ProxyFields = nil, nil
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	// The very program the binary serves: backends, authentication, jobs
	// and modules included.
	p, err := app.Build(ctx, cfg, log, app.Options{})
	if err != nil {
		return nil, nil, err
	}
	s, err := serve(p.API.Handler(), p.API.ErrorHandler)
	if err != nil {
		p.Close()
		return nil, nil, err
	}
	return s, func() { s.close(); p.Close() }, nil
}

// shop is the shop example on one engine, served by aposproxy and by the
// bare baseline over the same database.
type shop struct {
	engine      string
	proxy, bare *server
	close       func()
}

// startShop prepares the shop's database on engine ("sqlite", or
// "postgres"/"mysql" in a fresh schema of the server at dsn) and serves it.
func startShop(ctx context.Context, root, tmp, engine, dsn string) (_ *shop, err error) {
	var closers []func()
	s := &shop{engine: engine, close: func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if engine == "sqlite" {
		dsn = "file:" + filepath.Join(tmp, "shop-sqlite.db")
	} else {
		var drop func()
		if dsn, drop, err = shopfixture.Fresh(ctx, engine, dsn, "bench_"); err != nil {
			return nil, err
		}
		closers = append(closers, drop)
	}
	os.Setenv("SHOP_DB_DRIVER", engine)
	os.Setenv("SHOP_DB_DSN", dsn)
	data, err := os.ReadFile(filepath.Join(root, "config.toml"))
	if err != nil {
		return nil, err
	}
	var stop func()
	if s.proxy, stop, err = startProxy(ctx, root, data); err != nil {
		return nil, fmt.Errorf("starting aposproxy on %s: %w", engine, err)
	}
	closers = append(closers, stop)
	db, err := openBaselineDB(engine, dsn)
	if err != nil {
		return nil, err
	}
	closers = append(closers, func() { db.Close() })
	b, err := newBare(ctx, db, engine)
	if err != nil {
		return nil, fmt.Errorf("preparing the baseline on %s: %w", engine, err)
	}
	if s.bare, err = serve(b.handle, nil); err != nil {
		return nil, err
	}
	closers = append(closers, s.bare.close)
	return s, nil
}

// openBaselineDB opens the baseline's pool with the settings the SQL
// adapter gives its own: 10 connections (the shop's max_open), SQLite in
// WAL mode with a busy timeout, MySQL times parsed.
func openBaselineDB(engine, dsn string) (*sql.DB, error) {
	driver := map[string]string{"sqlite": "sqlite", "postgres": "pgx", "mysql": "mysql"}[engine]
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	switch engine {
	case "sqlite":
		dsn += sep + "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	case "mysql":
		dsn += sep + "parseTime=true"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(10)
	db.SetMaxIdleConns(10)
	return db, nil
}
