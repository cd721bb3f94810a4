// Package app is the aposproxy program: flags, configuration, backends,
// the front end with its login, the modules the configuration declares,
// and the server. The aposproxy command runs it as it is; a Go program
// runs it with modules of its own (see examples/mydatabase), so that both
// serve the same API the same way. New components are wired in Build.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/attachments"
	"github.com/aposproxy/aposproxy/auth"
	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/aposproxy/aposproxy/jobs"
	"github.com/aposproxy/aposproxy/modules"
	"github.com/aposproxy/aposproxy/modules/declared"
	"github.com/aposproxy/aposproxy/oembed"
	"github.com/aposproxy/aposproxy/openapi"
	"github.com/aposproxy/aposproxy/proxy"
)

// Options are what a program adds to the standard one.
type Options struct {
	// Modules are served after the configured types and the modules the
	// configuration declares; a route that collides stops the start.
	Modules []*modules.Module
	// ConfigPath is the file the configuration came from: Serve reloads
	// it on SIGHUP (and when it changes, with server.watch_config).
	// Empty: no reload.
	ConfigPath string

	metrics  *proxy.Metrics // the request metrics, when served
	access   *slog.Logger   // the request log, when on
	keepJobs bool           // a reload: the replaced runner's jobs go on
	listen   string         // -listen, which a reload keeps
}

// Run runs the program with the command-line arguments args (-config,
// -listen) until SIGINT or SIGTERM, reloading its configuration on SIGHUP,
// and returns its exit code: 2 for bad arguments, a bad configuration or
// a failure to start, 1 for a failure while serving.
func Run(args []string, stderr io.Writer, opts Options) int {
	fs := flag.NewFlagSet("aposproxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "config.toml", "path of the TOML configuration")
	listen := fs.String("listen", "", "address to listen on (overrides server.listen)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy: %s: %v\n", *configPath, err)
		return 2
	}
	if *listen != "" {
		cfg.Server.Listen = *listen
	}
	// The request log's lines are written in batches; the program's own
	// at once; whatever waits is written before Run returns.
	out := newLogOutput(stderr, flushEvery)
	log := NewLoggerFor(out.Now(), cfg.Log)
	if *cfg.Log.Requests {
		opts.access = newAccessLogger(out, cfg.Log)
	}
	opts.ConfigPath, opts.listen = *configPath, *listen
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = Serve(ctx, cfg, log, opts)
	out.Close()
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy: %v\n", err)
		var se startError
		if errors.As(err, &se) {
			return 2
		}
		return 1
	}
	return 0
}

// startError is a failure to start that the configuration or the
// backends' state explains (exit code 2).
type startError struct{ error }

func (e startError) Unwrap() error { return e.error }

// Serve opens the backends, checks them, builds the front end with its
// routes, and serves until ctx ends, on the main listener and on the
// admin listener when one is configured; then it stops accepting, lets
// the requests in flight finish within server.shutdown_timeout and closes
// the backends (docs/api-rules.md#223). With opts.ConfigPath, SIGHUP
// reloads the configuration.
func Serve(ctx context.Context, cfg *config.Config, log *slog.Logger, opts Options) error {
	l := &live{}
	var reg *prometheus.Registry
	if cfg.Admin.Metrics != "off" {
		reg, opts.metrics = newRegistry(l)
	}
	p, err := Build(ctx, cfg, log, opts)
	if err != nil {
		return err
	}
	l.swap(newGeneration(p), 0)
	defer func() { l.cur.Load().close(0) }()
	adm := newAdmin(l, cfg, reg)
	servers, err := listen(cfg, p, l, adm)
	if err != nil {
		return err
	}
	log.Info("aposproxy listening", "addr", servers[0].addr, "admin", cfg.Admin.Listen, "prefix", cfg.Server.Prefix,
		"types", len(cfg.Types), "modules", p.modules)
	if opts.ConfigPath != "" {
		r := &reloader{l: l, cfg: cfg, log: log, opts: opts}
		go r.run(ctx)
	}
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.srv.Serve(s.ln) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(log, servers, l, cfg.Server.ShutdownTimeout.Duration)
}

// shutdown stops the listeners, lets the requests in flight finish
// within wait, and closes the serving configuration's backends.
func shutdown(log *slog.Logger, servers []served, l *live, wait time.Duration) error {
	log.Info("shutting down", "wait", wait)
	shutCtx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var errs []error
	for _, s := range servers {
		errs = append(errs, s.srv.ShutdownWithContext(shutCtx))
	}
	l.cur.Load().close(time.Until(deadlineOf(shutCtx)))
	log.Info("stopped")
	return errors.Join(errs...)
}

func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// Program is the built proxy: every backend open and checked, the front
// end with its authentication, jobs and modules, ready to be served.
type Program struct {
	// API is the front end; API.Handler() serves every route.
	API     *proxy.Server
	log     *slog.Logger
	modules int
	closers []func()
	set     *backends.Set
	runner  *jobs.Runner
}

// Build opens and checks the backends of cfg and builds the front end with
// everything the binary serves. The load benchmarks serve the same
// Program, so that what they measure is what runs. Close it when done.
func Build(ctx context.Context, cfg *config.Config, log *slog.Logger, opts Options) (_ *Program, err error) {
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p := &Program{log: log}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	set, err := backends.Open(startCtx, cfg)
	if err != nil {
		return nil, startError{err}
	}
	p.closers, p.set = append(p.closers, set.Close), set
	if err := set.Verify(startCtx); err != nil {
		return nil, startError{fmt.Errorf("the configuration does not match the database:\n%w", err)}
	}
	login, err := auth.New(startCtx, cfg, set, log)
	if err != nil {
		return nil, startError{err}
	}
	p.closers = append(p.closers, login.Close)
	if err := login.Verify(startCtx); err != nil {
		return nil, startError{fmt.Errorf("the auth configuration does not match the database:\n%w", err)}
	}
	runner, err := p.startJobs(startCtx, cfg, set, opts.keepJobs)
	if err != nil {
		return nil, err
	}
	api, err := proxy.New(cfg, set.Adapters, proxy.Options{Log: log, Authenticators: []proxy.Authenticator{login}, Jobs: runner,
		Metrics: opts.metrics, AccessLog: opts.access})
	if err != nil {
		return nil, startError{err}
	}
	if err := p.addAttachments(startCtx, cfg, set, api, login.Routes()); err != nil {
		return nil, err
	}
	if err := p.addOEmbed(cfg, api, login); err != nil {
		return nil, startError{err}
	}
	mods, err := declared.Modules(startCtx, cfg, set, api)
	if err != nil {
		return nil, startError{err}
	}
	routes, err := modules.Routes(api, append(mods, opts.Modules...)...)
	if err != nil {
		return nil, startError{err}
	}
	// The OpenAPI document describes every route: it is built at its
	// first request, when all are registered.
	if err := api.AddRoutes(append(routes, openapi.Routes(cfg, api)...)...); err != nil {
		return nil, startError{err}
	}
	p.API, p.modules = api, len(mods)+len(opts.Modules)
	warnExposures(cfg, log)
	return p, nil
}

// addAttachments adds the login routes, then serves [attachments] when it
// is enabled.
func (p *Program) addAttachments(ctx context.Context, cfg *config.Config, set *backends.Set, api *proxy.Server, login []endpoint.Route) error {
	if err := api.AddRoutes(login...); err != nil {
		return startError{err}
	}
	if !cfg.Attachments.Enabled {
		return nil
	}
	files, err := attachments.New(ctx, cfg, set, p.log)
	if err != nil {
		return startError{err}
	}
	p.closers = append(p.closers, files.Close)
	api.SetAttachments(files)
	if err := api.AddRoutes(files.Routes()...); err != nil {
		return startError{err}
	}
	return nil
}

// startJobs opens the jobs' store and starts their runner.
// keep leaves unfinished jobs for the runner of the generation that a
// reload replaces.
func (p *Program) startJobs(ctx context.Context, cfg *config.Config, set *backends.Set, keep bool) (*jobs.Runner, error) {
	jobStore, err := set.JobStore(ctx, cfg)
	if err != nil {
		return nil, startError{err}
	}
	runner, err := jobs.New(ctx, jobStore, p.log, jobs.Options{
		Timeout:        cfg.Server.RequestTimeout.Duration,
		MaxRunning:     cfg.Jobs.MaxRunning,
		MaxPerOwner:    cfg.Jobs.MaxRunningPerCaller,
		KeepUnfinished: keep,
		Lease:          cfg.Jobs.Lease.Duration,
	})
	if err != nil {
		return nil, startError{fmt.Errorf("jobs: %w", err)}
	}
	p.closers, p.runner = append(p.closers, runner.Close), runner
	return runner, nil
}

// addOEmbed serves the oEmbed proxy, its cache shared through the login
// store's Redis when there is one.
func (p *Program) addOEmbed(cfg *config.Config, api *proxy.Server, login *auth.Auth) error {
	embeds := oembed.New(cfg, oembed.Options{Log: p.log, Redis: login.Redis(), RedisPrefix: cfg.Auth.Store.Prefix})
	p.closers = append(p.closers, embeds.Close)
	return api.AddRoutes(embeds.Routes()...)
}

// Server returns the fasthttp server of p, with cfg's limits: the caps
// on connections (per address too) and on a request's headers, sizes and
// timeouts. What fasthttp logs goes to the program's logger, redacted;
// fasthttp is also told to leave request contents out of its errors.
func (p *Program) Server(cfg *config.Config) *fasthttp.Server {
	s := cfg.Server
	return &fasthttp.Server{
		Handler:               p.API.Handler(),
		ErrorHandler:          p.API.ErrorHandler,
		Name:                  "aposproxy",
		Logger:                newFasthttpLogger(p.log),
		SecureErrorLogMessage: true,
		MaxRequestBodySize:    s.MaxBodyBytes,
		// Bodies are streams: a route reads its body up to
		// server.max_body_bytes (proxy), an upload up to its own limit,
		// and a multipart body is never parsed before its route runs.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ReadBufferSize:               s.MaxHeaderBytes,
		Concurrency:                  s.MaxConns,
		MaxConnsPerIP:                s.MaxConnsPerIP,
		ReadTimeout:                  s.ReadTimeout.Duration,
		WriteTimeout:                 s.WriteTimeout.Duration,
		IdleTimeout:                  s.IdleTimeout.Duration,
	}
}

// Close closes what Build opened, last opened first.
func (p *Program) Close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
	p.closers = nil
}
