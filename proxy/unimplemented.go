package proxy

import (
	"cmp"
	pathpkg "path"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

// A request that no route serves is one of two things: a route of
// Apostrophe's API that aposproxy does not serve, answered 501
// unimplemented naming the route, or a path outside that API, answered
// 404 notfound like a missing document (docs/api-rules.md#65). The router
// has already served every route aposproxy does serve, so whatever of
// Apostrophe's surface reaches notFound is unserved.

// routePattern is one route of Apostrophe's surface.
type routePattern struct {
	method string
	path   string   // as the description writes it: /@apostrophecms/page/{_id}
	segs   []string // path split on "/"; "{name}" matches any one segment
}

func parsePatterns(routes []string) []routePattern {
	out := make([]routePattern, 0, len(routes))
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		out = append(out, routePattern{method: method, path: path, segs: splitPath(path)})
	}
	return out
}

// splitPath splits a path after its leading "/" ("" has no segments).
func splitPath(path string) []string {
	if path == "" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(path, "/"), "/")
}

// matches reports whether the raw path segments fit the pattern.
func (p *routePattern) matches(segs []string) bool {
	if len(segs) != len(p.segs) {
		return false
	}
	for i, s := range p.segs {
		if s != segs[i] && !(strings.HasPrefix(s, "{") && segs[i] != "") {
			return false
		}
	}
	return true
}

// surface is Apostrophe's API under the API prefix: the core modules'
// routes, and the piece-type routes under each configured type.
type surface struct {
	prefix string
	core   []routePattern
	piece  []routePattern
	types  []string // the configured types, longest name first
}

func newSurface(prefix string, types []string) *surface {
	sorted := slices.Clone(types)
	slices.SortFunc(sorted, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return &surface{prefix: prefix, core: parsePatterns(apostropheRoutes), piece: parsePatterns(pieceRoutes), types: sorted}
}

// route names the route of Apostrophe's API that method and the raw path
// ask for, such as "POST /api/v1/@apostrophecms/attachment/upload" or
// "POST /api/v1/product/{_id}/share"; ok is false outside the API. HEAD
// is GET's; method "" matches any method.
func (a *surface) route(method, path string) (name string, ok bool) {
	rest, ok := strings.CutPrefix(path, a.prefix)
	if !ok || !strings.HasPrefix(rest, "/") {
		return "", false
	}
	if method == fasthttp.MethodHead {
		method = fasthttp.MethodGet
	}
	if p := find(a.core, method, splitPath(rest)); p != nil {
		return p.method + " " + a.prefix + p.path, true
	}
	for _, t := range a.types {
		suffix, ok := strings.CutPrefix(rest, "/"+t)
		if !ok || suffix != "" && suffix[0] != '/' {
			continue
		}
		if p := find(a.piece, method, splitPath(suffix)); p != nil {
			return p.method + " " + a.prefix + "/" + t + p.path, true
		}
	}
	return "", false
}

// find returns the first of patterns that matches method and segs.
func find(patterns []routePattern, method string, segs []string) *routePattern {
	for i := range patterns {
		p := &patterns[i]
		if (method == "" || p.method == method) && p.matches(segs) {
			return p
		}
	}
	return nil
}

// notFound answers a request no route serves: a preflight or a call of
// an unserved route of Apostrophe's API gets the preflight's answer or
// 501 unimplemented, anything else a JSON 404.
func (s *Server) notFound(ctx *fasthttp.RequestCtx) {
	path := string(ctx.URI().PathOriginal())
	if clean := pathpkg.Clean(path); clean != path && len(path) > 0 && path[0] == '/' {
		// A trailing slash, //, . and .. segments: the route of the clean
		// path answers, as Express's non-strict routing does, without a
		// redirect (the router's would be an absolute URL built from the
		// Host header, which a client chooses and a cache would keep).
		ctx.URI().SetPath(clean)
		s.router.Handler(ctx)
		return
	}
	if ctx.IsOptions() {
		if _, ok := s.surface.route("", path); ok {
			s.preflight(ctx)
			return
		}
	} else if route, ok := s.surface.route(string(ctx.Method()), path); ok {
		writeError(ctx, s.log, apos.NewError(apos.ErrUnimplemented.Name,
			"aposproxy does not serve this route of Apostrophe's API.", map[string]any{"route": route}))
		return
	}
	writeError(ctx, s.log, apos.ErrNotFound)
}
