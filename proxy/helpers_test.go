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
	tb.Helper()
	set, err := backends.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(set.Close)
	s, err := New(cfg, set.Adapters, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	return s.Handler()
}
