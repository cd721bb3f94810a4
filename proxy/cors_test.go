package proxy

import (
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/config"
	"github.com/valyala/fasthttp"
)

func TestCORS(t *testing.T) {
	listed := config.CORS{Origins: []string{"https://shop.example"}, Credentials: true, MaxAge: config.Duration{Duration: 10 * time.Minute}}
	tests := []struct {
		name                       string
		cfg                        config.CORS
		origin                     string
		wantOrigin, wantCredential string
		wantMaxAge, wantMethods    string
	}{
		{"Apostrophe's default", config.CORS{Origins: []string{"*"}}, "https://any.example", "*", "", "", "GET,HEAD,PUT,PATCH,POST,DELETE"},
		{"a listed origin", listed, "https://shop.example", "https://shop.example", "true", "600", "GET,HEAD,PUT,PATCH,POST,DELETE"},
		{"an origin not listed", listed, "https://evil.example", "", "", "", ""},
		{"no origin", listed, "", "", "", "", ""},
		{"CORS off", config.CORS{Origins: []string{}}, "https://shop.example", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{cors: newCORS(tt.cfg)}
			var ctx fasthttp.RequestCtx
			ctx.Request.Header.SetMethod("OPTIONS")
			if tt.origin != "" {
				ctx.Request.Header.Set("Origin", tt.origin)
			}
			ctx.Request.Header.Set(fasthttp.HeaderAccessControlRequestHeaders, "authorization")
			s.preflight(&ctx)
			h := &ctx.Response.Header
			got := map[string][2]string{
				"origin":      {string(h.Peek(fasthttp.HeaderAccessControlAllowOrigin)), tt.wantOrigin},
				"credentials": {string(h.Peek(fasthttp.HeaderAccessControlAllowCredentials)), tt.wantCredential},
				"max-age":     {string(h.Peek(fasthttp.HeaderAccessControlMaxAge)), tt.wantMaxAge},
				"methods":     {string(h.Peek(fasthttp.HeaderAccessControlAllowMethods)), tt.wantMethods},
			}
			for k, v := range got {
				if v[0] != v[1] {
					t.Errorf("%s = %q, want %q", k, v[0], v[1])
				}
			}
			if ctx.Response.StatusCode() != fasthttp.StatusNoContent {
				t.Errorf("status %d", ctx.Response.StatusCode())
			}
			if tt.wantMethods != "" && string(h.Peek(fasthttp.HeaderAccessControlAllowHeaders)) != "authorization" {
				t.Errorf("requested headers not echoed: %s", h.String())
			}
		})
	}
}
