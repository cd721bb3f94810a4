package proxy

import (
	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"
)

// routeTable is the front end's router. When the request metrics or the
// request log are on (tagged), each route's handler first leaves its
// route template for observed (routeOf): the router's own
// SaveMatchedRoutePath did the same with two allocations per request (a
// string key and a string value put in interfaces), and a comparison of
// its long key at every user value lookup.
type routeTable struct {
	*router.Router
	tagged bool
	ids    idRoutes // the routes of one document, served first
}

// routeKey is the user value under which a route leaves its template
// (a *string).
type routeKey struct{}

// Handle registers h for method and path, as the router does.
func (t *routeTable) Handle(method, path string, h fasthttp.RequestHandler) {
	if t.tagged {
		template, next := &path, h
		h = func(ctx *fasthttp.RequestCtx) {
			ctx.SetUserValue(routeKey{}, template)
			next(ctx)
		}
	}
	t.Router.Handle(method, path, h)
	t.ids.add(method, path, h)
}

// Handler routes a request: a document's route by idRoutes, any other by
// the router.
func (t *routeTable) Handler(ctx *fasthttp.RequestCtx) {
	if h := t.ids.match(ctx); h != nil {
		h(ctx)
		return
	}
	t.Router.Handler(ctx)
}

// GET, HEAD, POST, PUT, PATCH and DELETE register through Handle, so
// that their routes are tagged too.
func (t *routeTable) GET(path string, h fasthttp.RequestHandler) {
	t.Handle(fasthttp.MethodGet, path, h)
}

func (t *routeTable) HEAD(path string, h fasthttp.RequestHandler) {
	t.Handle(fasthttp.MethodHead, path, h)
}

func (t *routeTable) POST(path string, h fasthttp.RequestHandler) {
	t.Handle(fasthttp.MethodPost, path, h)
}

func (t *routeTable) PUT(path string, h fasthttp.RequestHandler) {
	t.Handle(fasthttp.MethodPut, path, h)
}

func (t *routeTable) PATCH(path string, h fasthttp.RequestHandler) {
	t.Handle(fasthttp.MethodPatch, path, h)
}

func (t *routeTable) DELETE(path string, h fasthttp.RequestHandler) {
	t.Handle(fasthttp.MethodDelete, path, h)
}

// routeOf is the template of the route that answered ctx, or unmatched.
func routeOf(ctx *fasthttp.RequestCtx) string {
	if template, ok := ctx.UserValue(routeKey{}).(*string); ok {
		return *template
	}
	return unmatched
}
