package proxy

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/valyala/fasthttp"
)

func TestRecoverPanic(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	var ctx fasthttp.RequestCtx
	func() {
		defer s.recoverPanic(&ctx)
		panic("boom: secret detail")
	}()
	body := string(ctx.Response.Body())
	if ctx.Response.StatusCode() != 500 || body != `{"name":"error","data":{},"message":"An error occurred."}` {
		t.Fatalf("got %d %s", ctx.Response.StatusCode(), body)
	}
	if !bytes.Contains(logs.Bytes(), []byte("secret detail")) || !bytes.Contains(logs.Bytes(), []byte("error_id")) {
		t.Fatalf("the panic was not logged with an id: %s", logs.String())
	}
}
