// Command aposproxy serves ApostropheCMS's headless REST API (/api/v1) in
// front of existing SQL databases and HTTP services, mapped by a TOML
// configuration.
//
//	aposproxy [-config config.toml] [-listen 127.0.0.1:3000]
//	aposproxy bench -target URL -types T [flags]   (load benchmark; see bench/)
//	aposproxy hash-password < password.txt          (a bcrypt hash for [auth])
//	aposproxy validate [-config config.toml] [-live] (check a configuration)
//
// Serving is package app (shared with Go programs that add modules of
// their own, such as examples/mydatabase); wire new components there.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/auth"
	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/bench/loadgen"
	"github.com/aposproxy/aposproxy/config"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "hash-password" {
		os.Exit(auth.HashPassword(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "validate" {
		os.Exit(validate(os.Args[2:], os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "bench" {
		os.Exit(loadgen.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(app.Run(os.Args[1:], os.Stderr, app.Options{}))
}

// validate loads a configuration and reports every mistake with its
// file, line and key path; with -live it also opens the databases and
// services, checks each SQL type against its table and lists one item of
// each upstream type to check its mapping (a service that does not answer
// fails the check too). Exit code 0 when all is well, 1 when a live check
// failed, 2 for a bad configuration or bad arguments.
func validate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("aposproxy validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "config.toml", "path of the TOML configuration")
	live := fs.Bool("live", false, "also check the configuration against the live databases and services")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy: %s: %v\n", *path, err)
		return 2
	}
	if !*live {
		fmt.Fprintf(stdout, "%s: ok (%d types)\n", *path, len(cfg.Types))
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	set, err := backends.Open(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy: %s: %v\n", *path, err)
		return 1
	}
	defer set.Close()
	failed := false
	if err := set.VerifyDatabases(ctx); err != nil {
		fmt.Fprintf(stderr, "aposproxy: %s: %v\n", *path, err)
		failed = true
	}
	for _, p := range set.ProbeUpstreams(ctx) {
		if p.Err != nil {
			fmt.Fprintf(stderr, "aposproxy: %s: types.%s: %v\n", *path, p.Type, p.Err)
			failed = true
		}
	}
	if failed {
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (%d types, checked live)\n", *path, len(cfg.Types))
	return 0
}
