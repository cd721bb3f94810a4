package proxy

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/jobs"

	"github.com/valyala/fasthttp"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func parseArgs(q string) *fasthttp.Args {
	var a fasthttp.Args
	a.Parse(q)
	return &a
}

// shopConfig loads the repository's config.toml (the shop example) over a
// fresh SQLite file.
func shopConfig(tb testing.TB) *config.Config {
	tb.Helper()
	cfg, err := config.Load(testkit.ShopSQLite(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// shopHandler builds the real front end for cfg over its real backends.
func shopHandler(tb testing.TB, cfg *config.Config) fasthttp.RequestHandler {
	return shopServer(tb, cfg, false).Handler()
}

// shopServer builds the front end for cfg over its real backends, with a
// job runner when withJobs.
func shopServer(t testing.TB, cfg *config.Config, withJobs bool) *Server {
	t.Helper()
	set, err := backends.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(set.Close)
	opts := Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if withJobs {
		store, err := set.JobStore(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if opts.Jobs, err = jobs.New(context.Background(), store, opts.Log, jobs.Options{Timeout: cfg.Server.RequestTimeout.Duration}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(opts.Jobs.Close)
	}
	s, err := New(cfg, set.Adapters, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
