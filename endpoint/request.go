package endpoint

import (
	"context"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// Request is one call to a Route. It is valid only while the handler runs.
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

// NewRequest is how the front end hands the request ctx to a handler,
// once it has authenticated the caller who, chosen the scope and set the
// deadline of bctx.
func NewRequest(ctx *fasthttp.RequestCtx, bctx context.Context, who *apos.Principal, scope apos.Scope) *Request {
	return &Request{Context: bctx, Who: who, Scope: scope, ctx: ctx}
}

// Param returns a path parameter of the route's pattern, decoded once as
// Express decodes req.params (the front end decodes every parameter
// before the handler runs).
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

// Body returns the request body as a JSON object (see JSONBody).
func (r *Request) Body() (gjson.Result, error) { return JSONBody(r.ctx) }

// SetHeader sets a response header.
func (r *Request) SetHeader(name, value string) { r.ctx.Response.Header.Set(name, value) }

// SetCookie adds a Set-Cookie header to the response.
func (r *Request) SetCookie(c *fasthttp.Cookie) { r.ctx.Response.Header.SetCookie(c) }

// SetStatus overrides the status of a successful answer (200 by default).
func (r *Request) SetStatus(code int) { r.ctx.SetStatusCode(code) }
