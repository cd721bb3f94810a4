package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/config"
)

// Exit codes of the commands that check something (validate), fit for CI.
const (
	exitOK      = 0 // all is well
	exitInvalid = 1 // the configuration has mistakes (static or live)
	exitUsage   = 2 // bad arguments, or a file that cannot be read
)

// validate loads a configuration and reports every mistake at once, one
// per line as file:line: key.path: message; with -live it also checks the
// configuration against the live databases and services (app.CheckLive):
// tables, columns, users tables, upstream mappings, and services that do
// not answer. Exit code 0 when all is well, 1 when the configuration has
// mistakes, 2 for bad arguments or a file that cannot be read.
func validate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("aposproxy validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "config.toml", "path of the TOML configuration")
	live := fs.Bool("live", false, "also check the configuration against the live databases and services")
	timeout := fs.Duration("timeout", 30*time.Second, "bound of the live checks")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "aposproxy validate: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	cfg, code := loadConfig(*path, stderr)
	if cfg == nil {
		return code
	}
	if !*live {
		fmt.Fprintf(stdout, "%s: ok (%d types)\n", *path, len(cfg.Types))
		return exitOK
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	errs := app.CheckLive(ctx, cfg)
	if len(errs) > 0 {
		src, _ := os.ReadFile(*path)
		lineOf := config.KeyLines(src)
		for _, err := range errs {
			fmt.Fprintln(stderr, located(*path, lineOf, err.Error()))
		}
		fmt.Fprintf(stderr, "%s: %d mistake(s) found against the live backends\n", *path, len(errs))
		return exitInvalid
	}
	fmt.Fprintf(stdout, "%s: ok (%d types, checked live)\n", *path, len(cfg.Types))
	return exitOK
}

// loadConfig loads the configuration at path. On failure it prints every
// mistake, one per line, and returns a nil configuration and the exit
// code: 1 for mistakes in the file, 2 for a file that cannot be read.
func loadConfig(path string, stderr io.Writer) (*config.Config, int) {
	cfg, err := config.Load(path)
	if err == nil {
		return cfg, exitOK
	}
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		fmt.Fprintf(stderr, "aposproxy: %v\n", err)
		return nil, exitUsage
	}
	msgs := strings.Split(err.Error(), "\n")
	fmt.Fprintln(stderr, strings.Join(msgs, "\n"))
	fmt.Fprintf(stderr, "%s: %d mistake(s) found\n", path, len(msgs))
	return nil, exitInvalid
}

// located prefixes a live check's error, which starts with its key path
// ("types.product: ..."), with the file and the line of that key.
func located(file string, lineOf func(string) int, msg string) string {
	key, _, _ := strings.Cut(msg, ": ")
	if n := lineOf(key); n > 0 && !strings.ContainsAny(key, " \"") {
		return fmt.Sprintf("%s:%d: %s", file, n, msg)
	}
	return file + ": " + msg
}
