package proxy

import (
	"bytes"
	"strings"

	"github.com/valyala/fasthttp"
)

// idRoutes serves the routes of one document (a template ending with the
// segment "{id}" after a static prefix: a type's GET, HEAD, PUT, PATCH and
// DELETE of /:_id) without the router, whose match of a parameter costs
// three allocations (a slice of values, a copy of the value and its
// interface) and a walk of the tree; here the id costs its copy and its
// interface. It answers only what the router would answer the same: a
// prefix with a sibling it cannot reason about (a parameter or wildcard
// other than {id} in the segment after it) is left to the router, and so
// is an id that is a prefix of a static sibling's segment (the router's
// tree, whose static nodes it tries first, may stop there).
type idRoutes struct {
	// byMethod maps a method and a prefix (ending with '/') to its route.
	byMethod map[string]map[string]*idRoute
	// templates are every route registered, by method, to find the
	// siblings of each prefix whatever the order of registration.
	templates map[string][]string
}

// idRoute is the route of one prefix and method.
type idRoute struct {
	h fasthttp.RequestHandler
	// literals are the static first segments of the prefix's other
	// routes; off is set when one of them is not static.
	literals []string
	off      bool
}

// idParam is the template's last segment that idRoutes serves.
const idParam = "{id}"

// add registers method and path, served by h.
func (r *idRoutes) add(method, path string, h fasthttp.RequestHandler) {
	if r.byMethod == nil {
		r.byMethod, r.templates = map[string]map[string]*idRoute{}, map[string][]string{}
	}
	r.templates[method] = append(r.templates[method], path)
	if prefix, ok := strings.CutSuffix(path, idParam); ok && strings.HasSuffix(prefix, "/") && !strings.ContainsAny(prefix, "{}*") {
		if r.byMethod[method] == nil {
			r.byMethod[method] = map[string]*idRoute{}
		}
		r.byMethod[method][prefix] = &idRoute{h: h}
	}
	for prefix, rt := range r.byMethod[method] {
		rt.literals, rt.off = siblings(prefix, r.templates[method])
	}
}

// siblings returns the static first segments after prefix of the
// templates that are not prefix's {id} route or its subroutes, and
// whether one of them is not static (or is {id} with a trailing slash,
// which the router's tree marks for a redirect).
func siblings(prefix string, templates []string) (literals []string, off bool) {
	for _, t := range templates {
		rest, ok := strings.CutPrefix(t, prefix)
		if !ok {
			continue
		}
		seg, _, _ := strings.Cut(rest, "/")
		switch {
		case seg == idParam && rest != idParam+"/":
		case strings.ContainsAny(seg, "{}*") || seg == "":
			off = true
		default:
			literals = append(literals, seg)
		}
	}
	return literals, off
}

// match returns the handler of ctx's request when it is an {id} route's,
// with the id set as the router sets it, or nil.
func (r *idRoutes) match(ctx *fasthttp.RequestCtx) fasthttp.RequestHandler {
	routes := r.byMethod[string(ctx.Method())]
	if routes == nil {
		return nil
	}
	path := ctx.Request.URI().PathOriginal() // what the router matches
	i := bytes.LastIndexByte(path, '/')
	if i < 0 || i == len(path)-1 {
		return nil
	}
	rt := routes[string(path[:i+1])]
	if rt == nil || rt.off {
		return nil
	}
	id := path[i+1:]
	for _, l := range rt.literals {
		if len(id) <= len(l) && l[:len(id)] == string(id) {
			return nil
		}
	}
	ctx.SetUserValue("id", string(id))
	return rt.h
}
