package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/openapi"
)

// openapiCmd writes the OpenAPI document that GET <prefix>/openapi.json
// serves: it builds the program as a start does (the backends must
// answer) and describes its routes. Exit code 0 when written, 1 when the
// configuration is invalid or the program cannot be built, 2 for bad
// arguments.
func openapiCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("aposproxy openapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "config.toml", "path of the TOML configuration")
	out := fs.String("o", "", "file to write (default: standard output)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return exitUsage
	}
	cfg, code := loadConfig(*path, stderr)
	if cfg == nil {
		return code
	}
	p, err := app.Build(context.Background(), cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), app.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy openapi: %v\n", err)
		return exitInvalid
	}
	defer p.Close()
	doc, err := openapi.Build(cfg, p.API.Routes())
	if err == nil && *out != "" {
		err = os.WriteFile(*out, append(doc, '\n'), 0o644)
	} else if err == nil {
		_, err = stdout.Write(append(doc, '\n'))
	}
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy openapi: %v\n", err)
		return exitInvalid
	}
	return exitOK
}
