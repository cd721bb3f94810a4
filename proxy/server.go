// Package proxy is aposproxy's HTTP front end: it serves Apostrophe's
// /api/v1 routes for every configured type, parses Apostrophe's request
// conventions (modes, locales, ids, list parameters), authenticates and
// authorizes callers, and renders documents and errors in Apostrophe's
// shapes. Backends are reached only through the adapters contract.
package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/jobs"
	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"
)

// Server serves the API of every configured type.
type Server struct {
	cfg     *config.Config
	log     *slog.Logger
	types   map[string]*docType
	locales locales
	auth    []Authenticator
	cors    corsPolicy
	timeout time.Duration
	strict  bool
	router  *router.Router
	runner  *jobs.Runner // nil: batch routes answer 501
}

// Options are what New needs beyond the configuration.
type Options struct {
	Log *slog.Logger
	// Authenticators run before API keys (bearer tokens, sessions); see
	// HasAPIKey.
	Authenticators []Authenticator
	// Jobs runs batch operations; without it batch routes answer 501.
	Jobs *jobs.Runner
}

// New builds the front end for cfg over the given adapters, one per
// configured type name.
func New(cfg *config.Config, backends map[string]adapters.Adapter, opts Options) (*Server, error) {
	s := &Server{
		cfg:     cfg,
		log:     opts.Log,
		types:   make(map[string]*docType, len(backends)),
		timeout: cfg.Server.RequestTimeout.Duration,
		strict:  cfg.Server.StrictParams,
		router:  router.New(),
		runner:  opts.Jobs,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.timeout <= 0 {
		s.timeout = 5 * time.Second
	}
	s.locales = locales{def: cfg.Locales.Default, names: map[string]bool{}}
	for _, l := range cfg.Locales.List {
		s.locales.names[l.Name] = l.Private
		s.locales.order = append(s.locales.order, l.Name)
	}
	keys := map[string]apos.Role{}
	for name, k := range cfg.APIKeys {
		if k.Secret == "" {
			continue
		}
		r, ok := apos.ParseRole(k.Role)
		if !ok || r == apos.Anonymous {
			return nil, fmt.Errorf("api_keys.%s.role: unknown role %q", name, k.Role)
		}
		keys[k.Secret] = r
	}
	s.auth = append(append([]Authenticator{}, opts.Authenticators...), newAPIKeys(keys))
	s.cors = newCORS(cfg.Auth.CORS)
	for _, name := range typeNames(cfg) {
		b, ok := backends[name]
		if !ok {
			return nil, fmt.Errorf("types.%s: no adapter was built", name)
		}
		d, err := newDocType(cfg.Types[name], b)
		if err != nil {
			return nil, err
		}
		s.types[name] = d
		s.routeType(d)
		s.routeWorkflow(d)
		s.routeBatch(d)
	}
	if err := s.routeI18n(); err != nil {
		return nil, err
	}
	if err := s.routeJobs(); err != nil {
		return nil, err
	}
	s.router.NotFound = s.notFound
	s.router.HandleMethodNotAllowed = false
	s.router.HandleOPTIONS = true
	s.router.GlobalOPTIONS = s.preflight
	return s, nil
}

// typeNames lists the configured types in file order.
func typeNames(cfg *config.Config) []string {
	if len(cfg.TypeOrder) == len(cfg.Types) {
		return cfg.TypeOrder
	}
	names := make([]string, 0, len(cfg.Types))
	for n := range cfg.Types {
		names = append(names, n)
	}
	return names
}

// routeType registers the REST routes of one type.
func (s *Server) routeType(d *docType) {
	base := s.cfg.Server.Prefix + "/" + d.name
	one := base + "/{id}"
	s.router.GET(base, s.handle(d, s.getList))
	s.router.HEAD(base, s.handle(d, s.getList))
	s.router.POST(base, s.handle(d, s.post))
	s.router.GET(one, s.handle(d, s.getOne))
	s.router.HEAD(one, s.handle(d, s.getOne))
	s.router.PUT(one, s.handle(d, s.put))
	s.router.PATCH(one, s.handle(d, s.patch))
	s.router.DELETE(one, s.handle(d, s.delete))
}

// Handler returns the fasthttp handler of the whole API.
func (s *Server) Handler() fasthttp.RequestHandler {
	h := s.router.Handler
	return func(ctx *fasthttp.RequestCtx) {
		defer s.recoverPanic(ctx)
		s.cors.allow(ctx)
		if s.localizePath(ctx) {
			h(ctx)
		}
	}
}

// recoverPanic turns a panic in a handler into a logged, masked 500
// instead of a crash of the whole proxy (fasthttp does not recover).
func (s *Server) recoverPanic(ctx *fasthttp.RequestCtx) {
	if p := recover(); p != nil {
		ctx.Response.Reset()
		writeError(ctx, s.log, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
	}
}

// ErrorHandler answers the errors fasthttp raises before a handler runs
// (an oversized body, a malformed request) in Apostrophe's shape.
func (s *Server) ErrorHandler(ctx *fasthttp.RequestCtx, err error) {
	if err == fasthttp.ErrBodyTooLarge {
		writeError(ctx, s.log, errTooLarge)
		return
	}
	writeError(ctx, s.log, apos.Errorf(apos.ErrInvalid, "Malformed request."))
}

// call is one request to a type's route, after authentication.
type call struct {
	ctx *fasthttp.RequestCtx
	who *apos.Principal
	// bctx carries the request's deadline to the backend; it is not the
	// RequestCtx, which must not outlive the handler.
	bctx context.Context
}

// handle wraps a route: authentication, the draft gate of docs/api-rules.md#6
// (before any lookup), the type's view role, the backend deadline, and
// error rendering.
func (s *Server) handle(d *docType, h func(*call, *docType) error) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		who, err := s.authenticate(ctx)
		if err == nil {
			err = s.gate(ctx, d, who)
		}
		if err != nil {
			writeError(ctx, s.log, err)
			return
		}
		bctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		defer cancel()
		c := callPool.Get().(*call)
		*c = call{ctx: ctx, who: who, bctx: bctx}
		if err := h(c, d); err != nil {
			writeError(ctx, s.log, err)
		}
		*c = call{} // drop the references before pooling
		callPool.Put(c)
	}
}

// callPool recycles calls: a handler is a function value, so a call on the
// stack would escape to the heap on every request.
var callPool = sync.Pool{New: func() any { return new(call) }}

// gate refuses draft requests from callers without view-draft (first, as
// Apostrophe's middleware does), then every request to a type the caller
// may not view (404, as Apostrophe answers
// for a type whose REST API the caller cannot access).
func (s *Server) gate(ctx *fasthttp.RequestCtx, d *docType, who *apos.Principal) error {
	p := readScopeParams(ctx.QueryArgs())
	if p.hasMode && p.mode == string(apos.Draft) && !who.CanViewDraft() {
		return apos.ErrForbidden
	}
	if who.Role < d.viewRole {
		return apos.ErrNotFound
	}
	return nil
}

// notFound answers unknown routes with a JSON 404.
func (s *Server) notFound(ctx *fasthttp.RequestCtx) {
	writeError(ctx, s.log, apos.ErrNotFound)
}
