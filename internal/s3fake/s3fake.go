// Package s3fake is an S3-compatible server in memory (gofakes3), for the
// tests of the proxy's S3 storage: a test runs it in a process of its own
// (Main, from a re-executed test binary) and talks to it over loopback,
// as the proxy talks to a real bucket.
package s3fake

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Main serves an S3 server with bucket on a free loopback port, prints
// "listening <addr>" on stdout once it accepts connections, and serves
// until the process is killed or stdin closes (so that it never outlives
// the test that started it).
func Main(bucket string) {
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		fmt.Fprintln(os.Stderr, "s3fake:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "s3fake:", err)
		os.Exit(1)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	go func() {
		_, _ = os.Stdin.Read(make([]byte, 1)) // EOF when the parent goes away
		os.Exit(0)
	}()
	srv := &http.Server{Handler: gofakes3.New(backend).Server(), ReadHeaderTimeout: 10 * time.Second}
	_ = srv.Serve(ln)
}
