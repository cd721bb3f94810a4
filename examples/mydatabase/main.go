// Command mydatabase is aposproxy with one module written in Go: the
// mydatabase module of Apostrophe's guide to "Creating Your Own REST APIs",
// served next to everything the configuration declares (the shop's types
// and its customer/merge route, when run with the repository's
// config.toml). It takes aposproxy's flags:
//
//	go run ./examples/mydatabase [-config config.toml] [-listen 127.0.0.1:3000]
package main

import (
	"os"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/modules"
)

func main() {
	os.Exit(app.Run(os.Args[1:], os.Stderr, app.Options{Modules: []*modules.Module{newMyDatabase()}}))
}
