// Package testproxy is the part of the test kit that needs the program's
// packages: it builds the real front end over a configuration's backends
// for one test. The tests of package proxy itself, and of the packages
// proxy imports, cannot use it.
package testproxy

import (
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/proxy"
)

// Config fills and writes a configuration as testkit.TempConfig does, and
// parses it; it returns the configuration and its directory.
func Config(tb testing.TB, src string, files map[string]string, vars ...string) (*config.Config, string) {
	tb.Helper()
	dir, text := testkit.TempConfig(tb, src, files, vars...)
	cfg, err := config.Parse([]byte(text), dir)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg, dir
}

// Backends opens cfg's backends for the length of the test.
func Backends(tb testing.TB, cfg *config.Config) *backends.Set {
	tb.Helper()
	set, err := backends.Open(tb.Context(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(set.Close)
	return set
}

// New builds the front end for cfg over set with opts.
func New(tb testing.TB, cfg *config.Config, set *backends.Set, opts proxy.Options) *proxy.Server {
	tb.Helper()
	s, err := proxy.New(cfg, set.Adapters, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Build opens cfg's backends and builds the front end over them.
func Build(tb testing.TB, cfg *config.Config, opts proxy.Options) *proxy.Server {
	tb.Helper()
	return New(tb, cfg, Backends(tb, cfg), opts)
}

// Serve serves s, with its error handler, on a loopback port until the
// test ends, and returns its base URL (http://127.0.0.1:port).
func Serve(tb testing.TB, s *proxy.Server) string {
	tb.Helper()
	return testkit.ServeServer(tb, &fasthttp.Server{Handler: s.Handler(), ErrorHandler: s.ErrorHandler})
}
