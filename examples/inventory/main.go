// Command inventory runs the example legacy inventory service in memory, so
// that the proxy's inventory-item type has something to front:
//
//	go run ./examples/inventory -listen 127.0.0.1:4100
//
// Its API is described in examples/inventory/API.md; requests need the header
// X-Api-Token (flag -token, default $INVENTORY_TOKEN or dev-inventory-token).
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/examples/inventory/service"
)

func main() {
	token := os.Getenv("INVENTORY_TOKEN")
	if token == "" {
		token = "dev-inventory-token"
	}
	listen := flag.String("listen", "127.0.0.1:4100", "address to serve on")
	flag.StringVar(&token, "token", token, "the X-Api-Token callers must send")
	flag.Parse()

	srv := &fasthttp.Server{
		Handler:      service.New(token).Handler(),
		Name:         "inventory",
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 10 * time.Second,
		IdleTimeout:  60 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.ShutdownWithContext(context.Background())
	}()
	slog.Info("inventory service listening", "addr", *listen)
	if err := srv.ListenAndServe(*listen); err != nil {
		slog.Error("inventory service stopped", "err", err)
		os.Exit(1)
	}
}
