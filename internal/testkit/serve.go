package testkit

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"
)

// Serve serves h on a loopback port until the test ends and returns its
// base URL (http://127.0.0.1:port).
func Serve(tb testing.TB, h fasthttp.RequestHandler) string {
	tb.Helper()
	return ServeServer(tb, &fasthttp.Server{Handler: h})
}

// ServeServer is Serve for a server with settings of its own (an error
// handler, short-lived idle workers).
func ServeServer(tb testing.TB, srv *fasthttp.Server) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		_ = srv.Shutdown()
		// Serve may not have taken the listener yet, for Shutdown to close.
		_ = ln.Close()
		<-done
	})
	return "http://" + ln.Addr().String()
}

// FreeAddr returns a loopback address (127.0.0.1:port) whose port was
// free just now: one to start a server on, or one where nothing answers.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Call runs one request through h in the test's process, without a
// network, and returns the response. A body is sent as JSON; headers are
// name, value pairs, set last.
func Call(h fasthttp.RequestHandler, method, uri, body string, headers ...string) *fasthttp.Response {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	if body != "" {
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetBodyString(body)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		ctx.Request.Header.Set(headers[i], headers[i+1])
	}
	h(&ctx)
	return &ctx.Response
}
