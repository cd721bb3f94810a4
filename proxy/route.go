package proxy

import (
	"context"
	"fmt"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// Route is an extra route served with the proxy's authentication, scope
// parsing, deadlines and error shapes: login, per-document workflow
// routes, and project-specific modules all plug in this way.
type Route struct {
	Method string // GET, POST, PUT, PATCH or DELETE
	// Path is a fasthttp/router pattern from the site root, such as
	// "/api/v1/customer/merge" or "/api/v1/product/{_id}/publish". Static
	// segments win over parameters, so named routes win over /:_id.
	Path string
	// MinRole is the lowest role allowed; lower callers get 403 forbidden.
	MinRole apos.Role
	// Handler answers with a JSON body (nil: an empty 200) or an error,
	// rendered like every other error of the API.
	Handler func(*Request) ([]byte, error)
}

// Request is one call to an extra route. It is valid only while the
// handler runs.
type Request struct {
	// Context carries the request's deadline; use it for backend work.
	Context context.Context
	// Who is the authenticated caller (anonymous when none).
	Who *apos.Principal
	// Scope is the locale and mode chosen by the query parameters (the
	// draft gate has already been applied).
	Scope apos.Scope
	ctx   *fasthttp.RequestCtx
}

// Param returns a path parameter of the route's pattern.
func (r *Request) Param(name string) string {
	v, _ := r.ctx.UserValue(name).(string)
	return v
}

// Query returns a query parameter ("" when absent).
func (r *Request) Query(name string) string { return string(r.ctx.QueryArgs().Peek(name)) }

// QueryArgs gives every query parameter, read-only.
func (r *Request) QueryArgs() *fasthttp.Args { return r.ctx.QueryArgs() }

// Header returns a request header.
func (r *Request) Header(name string) string { return string(r.ctx.Request.Header.Peek(name)) }

// Cookie returns a request cookie.
func (r *Request) Cookie(name string) string { return string(r.ctx.Request.Header.Cookie(name)) }

// RemoteIP is the caller's address.
func (r *Request) RemoteIP() string { return r.ctx.RemoteIP().String() }

// Body returns the request body as a JSON object (a urlencoded form
// becomes an object of strings; an empty body an empty object). Malformed
// JSON is a 400 invalid.
func (r *Request) Body() (gjson.Result, error) { return jsonBody(r.ctx) }

// SetHeader sets a response header.
func (r *Request) SetHeader(name, value string) { r.ctx.Response.Header.Set(name, value) }

// SetCookie adds a Set-Cookie header to the response.
func (r *Request) SetCookie(c *fasthttp.Cookie) { r.ctx.Response.Header.SetCookie(c) }

// SetStatus overrides the status of a successful answer (200 by default).
func (r *Request) SetStatus(code int) { r.ctx.SetStatusCode(code) }

// AddRoute registers an extra route. A route that collides with one
// already registered is an error, so that a configuration mistake stops
// the start.
func (s *Server) AddRoute(rt Route) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("route %s %s: %v", rt.Method, rt.Path, p)
		}
	}()
	h := s.routeHandler(rt)
	s.router.Handle(rt.Method, rt.Path, h)
	if rt.Method == fasthttp.MethodGet {
		s.router.Handle(fasthttp.MethodHead, rt.Path, h)
	}
	return nil
}

// routeHandler wraps an extra route like the type routes are wrapped.
func (s *Server) routeHandler(rt Route) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		who, err := s.authenticate(ctx)
		if err != nil {
			writeError(ctx, s.log, err)
			return
		}
		scope, err := s.locales.resolveScope(readScopeParams(ctx.QueryArgs()), apos.DocID{}, s.strict)
		if err == nil && scope.Mode == apos.Draft && !who.CanViewDraft() || err == nil && who.Role < rt.MinRole {
			err = apos.ErrForbidden
		}
		if err != nil {
			writeError(ctx, s.log, err)
			return
		}
		bctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		defer cancel()
		body, err := rt.Handler(&Request{Context: bctx, Who: who, Scope: scope, ctx: ctx})
		if err != nil {
			writeError(ctx, s.log, err)
			return
		}
		if ctx.IsGet() && who.Authenticated() {
			ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
		}
		if body != nil {
			ctx.SetContentTypeBytes(contentTypeJSON)
			ctx.SetBody(body)
		}
	}
}
