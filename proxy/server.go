// Package proxy is aposproxy's HTTP front end: it serves Apostrophe's
// /api/v1 routes for every configured type, parses Apostrophe's request
// conventions (modes, locales, ids, list parameters), authenticates and
// authorizes callers, and renders documents and errors in Apostrophe's
// shapes. Backends are reached only through the adapters contract.
package proxy

import (
	"errors"
	"fmt"
	"log/slog"

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
	ids     requestIDs
	// deadlines hands out the requests' backend contexts.
	deadlines deadlines
	strict    bool
	router    *routeTable
	surface   *surface     // Apostrophe's API: what is not routed is 501, not 404
	runner    *jobs.Runner // nil: batch routes answer 501
	admit     *admission
	// streams are the paths of the routes that read their body as a
	// stream (see bodyWithinLimit).
	streams map[string]bool
	// routeStats and access are the request metrics and the request log;
	// nil when not asked for. keyNames labels API key callers in them.
	routeStats *routeMetrics
	access     *slog.Logger
	keyNames   map[*apos.Principal]string
	// compress compresses answers; nil when server.compress is off.
	compress *compression
	// attachments resolves attachment fields (attachments.go); nil: none.
	attachments Attachments
}

// Options are what New needs beyond the configuration.
type Options struct {
	Log *slog.Logger
	// Authenticators run before API keys (bearer tokens, sessions), in
	// order; see endpoint.HasAPIKey.
	Authenticators []Authenticator
	// Jobs runs batch operations; without it batch routes answer 501.
	Jobs *jobs.Runner
	// Metrics, when set, counts and times every answer by route.
	Metrics *Metrics
	// AccessLog, when set, gets one line per request.
	AccessLog *slog.Logger
}

// New builds the front end for cfg over the given adapters, one per
// configured type name.
func New(cfg *config.Config, backends map[string]adapters.Adapter, opts Options) (*Server, error) {
	s := &Server{
		cfg:       cfg,
		log:       opts.Log,
		types:     make(map[string]*docType, len(backends)),
		deadlines: deadlines{timeout: cfg.Server.RequestTimeout.Duration},
		strict:    cfg.Server.StrictParams,
		router:    &routeTable{Router: router.New()},
		runner:    opts.Jobs,
		admit:     newAdmission(cfg.Server),
		streams:   map[string]bool{},
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.compress = newCompression(cfg.Server)
	s.locales = locales{def: cfg.Locales.Default, names: map[string]bool{}}
	for _, l := range cfg.Locales.List {
		s.locales.names[l.Name] = l.Private
		s.locales.order = append(s.locales.order, l.Name)
	}
	keys, err := apiKeyRoles(cfg)
	if err != nil {
		return nil, err
	}
	apiKeys := newAPIKeys(keys)
	s.auth = append(append([]Authenticator{}, opts.Authenticators...), apiKeys)
	s.observe(opts, apiKeys)
	s.cors = newCORS(cfg.Auth.CORS)
	s.ids.init()
	if err := s.routeTypes(backends); err != nil {
		return nil, err
	}
	if err := s.linkRelationships(); err != nil {
		return nil, err
	}
	if err := s.routeI18n(); err != nil {
		return nil, err
	}
	if err := s.routeCore(); err != nil {
		return nil, err
	}
	if err := s.ensureSingletons(); err != nil {
		return nil, err
	}
	if err := s.routeJobs(); err != nil {
		return nil, err
	}
	s.surface = newSurface(cfg.Server.Prefix, typeNames(cfg))
	s.routerOptions()
	return s, nil
}

// routerOptions sets how the router answers what no route matches.
func (s *Server) routerOptions() {
	s.router.NotFound = s.notFound
	// The router's redirects are absolute URLs built from the request's
	// Host header, which a client chooses: a cache would keep a 301 to any
	// host. notFound answers the canonical route instead.
	s.router.RedirectTrailingSlash = false
	s.router.RedirectFixedPath = false
	s.router.HandleMethodNotAllowed = false
	s.router.HandleOPTIONS = true
	s.router.GlobalOPTIONS = s.preflight
}

// apiKeyRoles maps the secret of each API key whose variable is set to
// its role.
func apiKeyRoles(cfg *config.Config) (map[string]apiKey, error) {
	keys := map[string]apiKey{}
	for name, k := range cfg.APIKeys {
		if k.Secret == "" {
			continue
		}
		r, ok := apos.ParseRole(k.Role)
		if !ok || r == apos.Anonymous {
			return nil, fmt.Errorf("api_keys.%s.role: unknown role %q", name, k.Role)
		}
		keys[k.Secret] = apiKey{name: name, role: r}
	}
	return keys, nil
}

// routeTypes serves every configured type over its adapter, in file order.
func (s *Server) routeTypes(backends map[string]adapters.Adapter) error {
	for _, name := range typeNames(s.cfg) {
		b, ok := backends[name]
		if !ok {
			return fmt.Errorf("types.%s: no adapter was built", name)
		}
		d, err := newDocType(s.cfg.Types[name], b)
		if err != nil {
			return err
		}
		s.types[name] = d
		if d.page {
			s.routePages(d)
		} else {
			s.routeType(d)
		}
		s.routeWorkflow(d)
		s.routeDocExtras(d)
	}
	return nil
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
	s.routeDocs(d, s.getList, s.post, s.getOne, s.delete)
}

// routeDocs registers a type's REST routes with the handlers that differ
// between pieces and pages; PUT and PATCH are shared.
func (s *Server) routeDocs(d *docType, list, post, get, del func(*call, *docType) error) {
	base := s.cfg.Server.Prefix + "/" + d.name
	one := base + "/{id}"
	s.router.GET(base, s.handle(d, list))
	s.router.HEAD(base, s.handle(d, list))
	s.router.POST(base, s.handle(d, post))
	s.router.GET(one, s.handle(d, get))
	s.router.HEAD(one, s.handle(d, get))
	s.router.PUT(one, s.handle(d, s.put))
	s.router.PATCH(one, s.handle(d, s.patch))
	s.router.DELETE(one, s.handle(d, del))
}

// ErrorHandler answers the errors fasthttp raises before a handler runs
// (an oversized body, a malformed request) in Apostrophe's shape.
func (s *Server) ErrorHandler(ctx *fasthttp.RequestCtx, err error) {
	s.ids.set(ctx)
	if err == fasthttp.ErrBodyTooLarge {
		writeError(ctx, s.log, errTooLarge)
		return
	}
	var small *fasthttp.ErrSmallBuffer
	if errors.As(err, &small) {
		writeJSON(ctx, fasthttp.StatusRequestHeaderFieldsTooLarge, headersTooLargeBody)
		return
	}
	writeError(ctx, s.log, apos.Errorf(apos.ErrInvalid, "Malformed request."))
}

// headersTooLargeBody answers a request line and headers over
// server.max_header_bytes (431).
var headersTooLargeBody = []byte(`{"name":"invalid","data":{},"message":"The request's headers are too large."}`)

// handle serves a route of type d with h, through the pipeline: callers
// below the type's view role find nothing (404).
func (s *Server) handle(d *docType, h func(*call, *docType) error) fasthttp.RequestHandler {
	return s.pipeline(d.viewRole, apos.ErrNotFound, func(c *call) error { return h(c, d) })
}
