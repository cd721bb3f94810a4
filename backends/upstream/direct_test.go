package upstream

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/apos"
)

// TestCall checks the calls of declared routes: the request as sent, the
// body of a 2xx answer, and other statuses named like a type's defaults.
func TestCall(t *testing.T) {
	url := serve(t, func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) {
		case "/base/echo":
			ctx.SetBodyString(`{"method":"` + string(ctx.Method()) + `","q":"` + string(ctx.QueryArgs().Peek("q")) +
				`","body":` + string(ctx.PostBody()) + `}`)
		default:
			code, _ := strconv.Atoi(strings.TrimPrefix(string(ctx.Path()), "/base/status/"))
			ctx.SetStatusCode(code)
			ctx.SetBodyString(`{"error":"internal detail"}`)
		}
	})
	c, err := NewClient("svc", upstreamAt(t, url+"/base/"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body, err := c.Call(t.Context(), "POST", "/echo?q=a%20b", []byte(`{"x":1}`))
	if err != nil || string(body) != `{"method":"POST","q":"a b","body":{"x":1}}` {
		t.Fatalf("echo: %s, %v", body, err)
	}
	for _, tc := range []struct {
		path string
		want *apos.Error
	}{
		{"/status/400", apos.ErrInvalid},
		{"/status/422", apos.ErrInvalid},
		{"/status/404", apos.ErrNotFound},
		{"/status/409", apos.ErrConflict},
		{"/status/429", apos.ErrUnavailable},
		{"/status/418", apos.ErrBadGateway},
		{"/status/500", apos.ErrBadGateway},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, err := c.Call(t.Context(), "PUT", tc.path, nil)
			e, ok := apos.AsError(err)
			if !errors.Is(err, tc.want) || !ok || e.Message != "" {
				t.Fatalf("error %#v, want %s without a client message", err, tc.want.Name)
			}
		})
	}
}
