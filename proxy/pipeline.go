package proxy

import (
	"context"
	"fmt"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

// This file is the life of a request: the front door every request
// takes (Handler), then the pipeline of its route, the same for every
// route.

// Handler returns the fasthttp handler of the whole API, its front door,
// which every request takes, known route or not, preflights included: it
// marks every answer nosniff, admits the request or refuses it at once
// (admission: the in-flight cap and the rate limit), turns a panic into a
// 500, sets the request id and the CORS headers (kept on that 500), strips
// a locale prefix and hides private locales from anonymous callers
// (localizePath), refuses a body over server.max_body_bytes on a route
// that does not stream its body (bodyWithinLimit), then routes the
// request.
func (s *Server) Handler() fasthttp.RequestHandler {
	h := s.router.Handler
	return s.observed(func(ctx *fasthttp.RequestCtx) {
		noSniff(ctx)
		if !s.admit.enter(ctx) {
			return
		}
		defer s.admit.leave()
		defer s.recoverPanic(ctx)
		s.ids.set(ctx)
		s.cors.allow(ctx)
		if s.localizePath(ctx) && s.bodyWithinLimit(ctx) {
			h(ctx)
		}
	})
}

// recoverPanic turns a panic in a handler into a logged, masked 500
// instead of a crash of the whole proxy (fasthttp does not recover).
func (s *Server) recoverPanic(ctx *fasthttp.RequestCtx) {
	if p := recover(); p != nil {
		id := append([]byte(nil), ctx.Response.Header.PeekBytes(headerRequestID)...)
		ctx.Response.Reset()
		ctx.Response.Header.SetCanonical(headerRequestID, id)
		s.cors.allow(ctx)
		noSniff(ctx)
		writeError(ctx, s.log, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
	}
}

// noSniff tells browsers to take every answer for the JSON it says it is,
// never for a script or a page sniffed from its bytes.
func noSniff(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.SetCanonical(headerContentTypeOptions, noSniffValue)
}

var headerContentTypeOptions, noSniffValue = []byte("X-Content-Type-Options"), []byte("nosniff")

// call is one request to a route, as it goes down the pipeline.
type call struct {
	ctx *fasthttp.RequestCtx
	who *apos.Principal // set by authentication
	// params are the query's scope parameters, read once by the draft
	// gate for the scope resolution of the route.
	params scopeParams
	// bctx carries the request's deadline to the backend; it is not the
	// RequestCtx, which must not outlive the handler.
	bctx context.Context
}

// handler answers a call, or returns the error to answer with.
type handler func(*call) error

// stage is one concern of the pipeline: it wraps the rest of it.
type stage func(next handler) handler

// pipeline is the one request pipeline of every route (the type routes,
// their workflow and batch routes, and every Route added with AddRoute),
// in the order its stages run. minRole is the lowest role the route allows;
// a lower caller is answered refusal.
func (s *Server) pipeline(minRole apos.Role, refusal error, h handler) fasthttp.RequestHandler {
	return s.serve(stack(h,
		decodeParams,                  // path parameters decoded once, as Express decodes req.params
		s.authenticated,               // who calls: login's tokens and sessions (with CSRF), API keys
		gateDrafts,                    // draft mode needs view-draft, before any lookup
		requireRole(minRole, refusal), // the type's view role, or the route's MinRole
		noStore,                       // answers to authenticated reads are not cached
		s.deadline,                    // the backend's deadline
	))
}

// stack wraps h in stages, the first listed outermost. It runs once per
// route, when the route is added: a request only calls the closures.
func stack(h handler, stages ...stage) handler {
	for i := len(stages) - 1; i >= 0; i-- {
		h = stages[i](h)
	}
	return h
}

// serve runs the pipeline h for each request and renders the error it
// returns in Apostrophe's shape.
func (s *Server) serve(h handler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		c := callPool.Get().(*call)
		*c = call{ctx: ctx}
		if err := h(c); err != nil {
			writeError(ctx, s.log, err)
		}
		*c = call{} // drop the references before pooling
		callPool.Put(c)
	}
}

// callPool recycles calls: a handler is a function value, so a call on the
// stack would escape to the heap on every request.
var callPool = sync.Pool{New: func() any { return new(call) }}

// decodeParams decodes the route's path parameters once, as Express
// decodes req.params with decodeURIComponent (docs/api-rules.md#64). The
// router matches the raw path, so an encoded "/" stays inside its
// parameter; the router's parameters are the only user values of a
// request when its pipeline starts. A malformed escape, or one that is
// not UTF-8, is 400 invalid.
func decodeParams(next handler) handler {
	return func(c *call) error {
		var err error
		c.ctx.VisitUserValuesAll(func(key, value any) {
			raw, ok := value.(string)
			if err != nil || !ok || strings.IndexByte(raw, '%') < 0 {
				return
			}
			decoded, bad := url.PathUnescape(raw)
			if bad != nil || !utf8.ValidString(decoded) {
				err = apos.Errorf(apos.ErrInvalid, "Failed to decode param '%s'", raw)
				return
			}
			c.ctx.SetUserValue(key, decoded) // replaces the value in place
		})
		if err != nil {
			return err
		}
		return next(c)
	}
}

// authenticated sets the caller (see authenticate).
func (s *Server) authenticated(next handler) handler {
	return func(c *call) (err error) {
		if c.who, err = s.authenticate(c.ctx); err != nil {
			return err
		}
		noteCaller(c)
		return next(c)
	}
}

// gateDrafts reads the query's scope parameters and refuses a request
// that asks for draft mode from a caller without view-draft, first, as
// Apostrophe's middleware does.
func gateDrafts(next handler) handler {
	return func(c *call) error {
		c.params = readScopeParams(c.ctx.QueryArgs())
		if c.params.hasMode {
			if err := draftGate(apos.Mode(c.params.mode), c.who); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// draftGate is the one rule of draft mode: it needs Apostrophe's
// view-draft permission (403 otherwise). The pipeline applies it to the
// mode the query asks for; scope resolution applies it to the mode an _id
// carries.
func draftGate(m apos.Mode, who *apos.Principal) error {
	if m == apos.Draft && !who.CanViewDraft() {
		return apos.ErrForbidden
	}
	return nil
}

// requireRole refuses callers below minRole: with 404 for a type the caller
// may not view (as Apostrophe answers for a REST API the caller cannot
// access), with 403 for an extra route.
func requireRole(minRole apos.Role, refusal error) stage {
	return func(next handler) handler {
		return func(c *call) error {
			if c.who.Role < minRole {
				return refusal
			}
			return next(c)
		}
	}
}

// noStore marks a successful read by an authenticated caller as not
// cacheable: its answer depends on who asked.
func noStore(next handler) handler {
	return func(c *call) error {
		err := next(c)
		if err == nil && (c.ctx.IsGet() || c.ctx.IsHead()) && c.who.Authenticated() {
			c.ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
		}
		return err
	}
}

// deadline gives the backend work of the call the configured request
// timeout (server.request_timeout).
func (s *Server) deadline(next handler) handler {
	return func(c *call) error {
		c.bctx = withIdempotencyKey(s.deadlines.context(), c.ctx)
		return next(c)
	}
}

// withIdempotencyKey carries a write's Idempotency-Key header to the
// backend, which may make the write idempotent with it (an upstream whose
// service honours such keys); reads and requests without one are left
// alone. A key longer than maxIdempotencyKey or with bytes outside
// printable ASCII is ignored, as if not sent.
func withIdempotencyKey(bctx context.Context, ctx *fasthttp.RequestCtx) context.Context {
	if ctx.IsGet() || ctx.IsHead() {
		return bctx
	}
	key := ctx.Request.Header.Peek("Idempotency-Key")
	if len(key) == 0 || len(key) > maxIdempotencyKey {
		return bctx
	}
	for _, b := range key {
		if b < 0x21 || b > 0x7e {
			return bctx
		}
	}
	return adapters.WithIdempotencyKey(bctx, string(key))
}

// maxIdempotencyKey bounds the idempotency keys passed on to backends.
const maxIdempotencyKey = 255
