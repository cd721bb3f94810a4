// Command aposproxy serves ApostropheCMS's headless REST API (/api/v1) in
// front of existing SQL databases and HTTP services, mapped by a TOML
// configuration.
//
//	aposproxy [-config config.toml] [-listen 127.0.0.1:3000]
//	aposproxy bench -target URL -types T [flags]   (load benchmark; see bench/)
//	aposproxy hash-password < password.txt          (a bcrypt hash for [auth])
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aposproxy/aposproxy/adapters/backends"
	"github.com/aposproxy/aposproxy/auth"
	"github.com/aposproxy/aposproxy/bench/loadgen"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/proxy"
	"github.com/valyala/fasthttp"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "hash-password" {
		os.Exit(auth.HashPassword(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "bench" {
		os.Exit(loadgen.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run is main with its exit code: 2 for bad arguments or configuration,
// 1 for a failure while serving.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("aposproxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "config.toml", "path of the TOML configuration")
	listen := fs.String("listen", "", "address to listen on (overrides server.listen)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy: %s: %v\n", *configPath, err)
		return 2
	}
	if *listen != "" {
		cfg.Server.Listen = *listen
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, log); err != nil {
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

// serve opens the backends, checks them, and serves until ctx ends.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	set, err := backends.Open(startCtx, cfg)
	if err != nil {
		return startError{err}
	}
	defer set.Close()
	if err := set.Verify(startCtx); err != nil {
		return startError{fmt.Errorf("the configuration does not match the database:\n%w", err)}
	}
	login, err := auth.New(startCtx, cfg, log)
	if err != nil {
		return startError{err}
	}
	defer login.Close()
	if err := login.Verify(startCtx); err != nil {
		return startError{fmt.Errorf("the auth configuration does not match the database:\n%w", err)}
	}
	api, err := proxy.New(cfg, set.Adapters, proxy.Options{Log: log, Authenticators: []proxy.Authenticator{login}})
	if err != nil {
		return startError{err}
	}
	if err := login.Register(api); err != nil {
		return startError{err}
	}
	srv := &fasthttp.Server{
		Handler:            api.Handler(),
		ErrorHandler:       api.ErrorHandler,
		Name:               "aposproxy",
		MaxRequestBodySize: cfg.Server.MaxBodyBytes,
		ReadTimeout:        cfg.Server.ReadTimeout.Duration,
		WriteTimeout:       cfg.Server.WriteTimeout.Duration,
		IdleTimeout:        cfg.Server.IdleTimeout.Duration,
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return startError{fmt.Errorf("server.listen: %w", err)}
	}
	log.Info("aposproxy listening", "addr", ln.Addr().String(), "prefix", cfg.Server.Prefix, "types", len(set.Adapters))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancelShut := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelShut()
	return srv.ShutdownWithContext(shutCtx)
}
