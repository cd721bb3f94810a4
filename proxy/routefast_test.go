package proxy

import (
	"testing"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"
)

// TestIDRoutesAsRouter checks that routeTable answers every request as
// the router alone does (same route, same parameters), among routes that
// put static, {id}, trailing-slash, mid-segment and upper-level
// parameters next to each other, and that it serves the plain {id}
// routes itself.
func TestIDRoutesAsRouter(t *testing.T) {
	templates := []struct{ method, path string }{
		{"GET", "/api/v1/product"}, {"GET", "/api/v1/product/{id}"}, {"HEAD", "/api/v1/product/{id}"},
		{"PUT", "/api/v1/product/{id}"}, {"DELETE", "/api/v1/product/{id}"},
		{"GET", "/api/v1/product/{id}/locales"}, {"POST", "/api/v1/product/{id}/publish"},
		{"GET", "/api/v1/product/export"}, {"GET", "/api/v1/product/exports"}, {"GET", "/api/v1/product/exportx/{x}"},
		{"GET", "/api/v1/article/{id}"}, {"GET", "/api/v1/article/{id}/"},
		{"GET", "/api/v1/page/{id}"}, {"GET", "/api/v1/page/x{y}"},
		{"GET", "/api/v1/{type}/count"}, {"GET", "/api/v1/{type}/{id}/share"},
		{"GET", "/api/v1/odd/{id}"}, {"GET", "/api/v1/odd/ab"}, {"GET", "/api/v1/odd/abc"}, {"PUT", "/api/v1/odd/abd/x"},
		{"GET", "/api/v1/file/{id}"}, {"GET", "/api/v1/file/{id:[0-9]+}x"},
	}
	tab := &routeTable{Router: router.New(), tagged: true}
	tab.RedirectTrailingSlash, tab.RedirectFixedPath = false, false
	tab.NotFound = func(ctx *fasthttp.RequestCtx) { ctx.SetUserValue("route", "not found") }
	for _, tt := range templates {
		path := tt.path
		func() {
			defer func() { _ = recover() }() // a template the router refuses
			tab.Handle(tt.method, tt.path, func(ctx *fasthttp.RequestCtx) { ctx.SetUserValue("route", path) })
		}()
	}
	ids := []string{"INV-1", "export", "expor", "exports", "exportsx", "e", "exportx", "ab", "abc", "a", "abd", "abcd",
		"x", "xy", "%2F", "a%20b", "count", "share", "{id}", "12", ""}
	served := 0
	for _, method := range []string{"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"} {
		for _, prefix := range []string{"/api/v1/product/", "/api/v1/article/", "/api/v1/page/", "/api/v1/odd/",
			"/api/v1/file/", "/api/v1/other/", "/api/v1/", "/"} {
			for _, id := range ids {
				for _, suffix := range []string{"", "/", "/locales", "/share"} {
					uri := prefix + id + suffix
					want, got := routed(tab.Router.Handler, method, uri), routed(tab.Handler, method, uri)
					if got != want {
						t.Errorf("%s %s: routeTable %s, router %s", method, uri, got, want)
					}
					var ctx fasthttp.RequestCtx
					ctx.Request.Header.SetMethod(method)
					ctx.Request.SetRequestURI(uri)
					if tab.ids.match(&ctx) != nil {
						served++
					}
				}
			}
		}
	}
	if served < 20 {
		t.Errorf("idRoutes served %d requests itself, want the plain {id} routes' (20 or more)", served)
	}
}

// routed is what handler made of a request: the route it ran and the
// parameters it set.
func routed(handler fasthttp.RequestHandler, method, uri string) string {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	handler(&ctx)
	out := ""
	for _, k := range []string{"route", "id", "x", "y", "type"} {
		if v := ctx.UserValue(k); v != nil {
			out += k + "=" + v.(string) + " "
		}
	}
	return out + "status=" + string(rune('0'+ctx.Response.StatusCode()/100))
}
