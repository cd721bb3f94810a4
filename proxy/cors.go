package proxy

import (
	"strconv"

	"github.com/aposproxy/aposproxy/config"
	"github.com/valyala/fasthttp"
)

// corsPolicy answers browsers' cross-origin questions (auth.cors). Its
// default is Apostrophe's cors(): any origin, no credentials.
type corsPolicy struct {
	any         bool            // "*" is listed
	origins     map[string]bool // the listed origins otherwise
	credentials bool
	maxAge      string // preflight cache, in seconds; "" sends none
}

func newCORS(c config.CORS) corsPolicy {
	p := corsPolicy{origins: map[string]bool{}, credentials: c.Credentials}
	for _, o := range c.Origins {
		if o == "*" {
			p.any = true
		}
		p.origins[o] = true
	}
	if s := int(c.MaxAge.Seconds()); s > 0 {
		p.maxAge = strconv.Itoa(s)
	}
	return p
}

// exposedHeaders are the answer headers a browser script may read beyond
// the safelisted ones: the ETag, to send it back in If-Match, and the
// request id (docs/api-rules.md#54).
const exposedHeaders = "ETag, X-Request-Id"

// The headers of every answer when any origin is allowed, their names in
// fasthttp's canonical form (SetCanonical spares normalizing them).
var (
	headerAllowOrigin, headerExposeHeaders = []byte(fasthttp.HeaderAccessControlAllowOrigin), []byte(fasthttp.HeaderAccessControlExposeHeaders)
	anyOrigin, exposedHeadersValue         = []byte("*"), []byte(exposedHeaders)
)

// allow sets the headers that let the request's origin read the answer:
// "*" for any origin, else the origin itself when it is listed (with
// Vary: Origin, since the answer then depends on it), and the headers it
// may read.
func (p *corsPolicy) allow(ctx *fasthttp.RequestCtx) bool {
	h := &ctx.Response.Header
	if p.any {
		h.SetCanonical(headerAllowOrigin, anyOrigin)
		h.SetCanonical(headerExposeHeaders, exposedHeadersValue)
		return true
	}
	if len(p.origins) == 0 {
		return false
	}
	h.Add(fasthttp.HeaderVary, "Origin")
	origin := ctx.Request.Header.Peek("Origin")
	if len(origin) == 0 || !p.origins[string(origin)] {
		return false
	}
	h.SetBytesV(fasthttp.HeaderAccessControlAllowOrigin, origin)
	h.Set(fasthttp.HeaderAccessControlExposeHeaders, exposedHeaders)
	if p.credentials {
		h.Set(fasthttp.HeaderAccessControlAllowCredentials, "true")
	}
	return true
}

// preflight answers CORS preflight requests as Apostrophe's cors() does:
// 204, the API's methods, and the requested headers echoed. An origin that
// is not allowed gets the 204 without them, and its browser stops there.
func (s *Server) preflight(ctx *fasthttp.RequestCtx) {
	ctx.SetStatusCode(fasthttp.StatusNoContent)
	if !s.cors.allow(ctx) {
		return
	}
	h := &ctx.Response.Header
	h.Set(fasthttp.HeaderAccessControlAllowMethods, "GET,HEAD,PUT,PATCH,POST,DELETE")
	if rh := ctx.Request.Header.Peek(fasthttp.HeaderAccessControlRequestHeaders); len(rh) > 0 {
		h.SetBytesV(fasthttp.HeaderAccessControlAllowHeaders, rh)
	}
	h.Add(fasthttp.HeaderVary, "Access-Control-Request-Headers")
	if s.cors.maxAge != "" {
		h.Set(fasthttp.HeaderAccessControlMaxAge, s.cors.maxAge)
	}
}
