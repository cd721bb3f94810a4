// Command aposproxy serves ApostropheCMS's headless REST API (/api/v1) in
// front of existing SQL databases and HTTP services, mapped by a TOML
// configuration.
//
//	aposproxy [-config config.toml] [-listen 127.0.0.1:3000]
//	aposproxy bench -target URL -types T [flags]   (load benchmark; see bench/)
//	aposproxy hash-password < password.txt          (a bcrypt hash for [auth])
//	aposproxy validate [-config config.toml] [-live] (check a configuration)
//	aposproxy openapi [-config config.toml] [-o file] (the OpenAPI document)
//	aposproxy introspect -driver D -dsn DSN [-tables t1,t2] [-o file] (a starting configuration)
//
// Serving is package app (shared with Go programs that add modules of
// their own, such as examples/mydatabase); wire new components there.
package main

import (
	"os"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/auth"
	"github.com/aposproxy/aposproxy/bench/loadgen"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "hash-password" {
		os.Exit(auth.HashPassword(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "validate" {
		os.Exit(validate(os.Args[2:], os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "introspect" {
		os.Exit(introspectCmd(os.Args[2:], os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "openapi" {
		os.Exit(openapiCmd(os.Args[2:], os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "bench" {
		os.Exit(loadgen.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(app.Run(os.Args[1:], os.Stderr, app.Options{}))
}
