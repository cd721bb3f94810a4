// Package modules is Apostrophe's module API in Go: a Module has the REST
// handlers of an Apostrophe module's restApiRoutes (GetAll, GetOne, Post,
// Put, Patch, Delete) and the named routes of its apiRoutes, and Routes
// lists them as routes for the front end to serve under /api/v1/<name>,
// next to the configured types.
//
// Unlike Apostrophe, where "you are solely responsible for security", every
// route gets the proxy's authentication (API keys, and whatever other
// authenticators the server runs), a role check, Apostrophe's mode and
// locale parsing (with its draft gate), a deadline, and Apostrophe's error
// shapes: a handler returns an error of package apos
// (apos.ErrNotFound, apos.NewError("invalid", "Bad thing", data),
// *apos.ValidationError ...) to answer with its status, and any other
// error (or a panic) is logged with an id and answered as a masked 500.
//
//	m := &modules.Module{
//		Name: "mydatabase",
//		GetAll: func(req *modules.Request) (any, error) { ... },
//		GetOne: func(req *modules.Request, id string) (any, error) { ... },
//		APIRoutes: modules.APIRoutes{
//			"post": {"merge": func(req *modules.Request) (any, error) { ... }},
//		},
//		Roles: map[string]apos.Role{"getAll": apos.Anonymous, "post merge": apos.Editor},
//	}
//	routes, err := modules.Routes(api, m) // api is the *proxy.Server
//	...
//	err = api.AddRoutes(routes...)
package modules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
)

// Server is what modules need from the front end that serves them;
// *proxy.Server is one.
type Server interface {
	// Prefix is the prefix the API is served under, such as /api/v1.
	Prefix() string
	// ViewRole is the lowest role that may read the type typeName; ok is
	// false when no such type is served.
	ViewRole(typeName string) (r apos.Role, ok bool)
	// ScopeOf resolves the locale and mode of a request whose path
	// carries the _id id as the type routes do, draft gate included.
	ScopeOf(r *endpoint.Request, id apos.DocID) (apos.Scope, error)
}

// Handler answers a route without an _id: GetAll, Post and every named
// route. Its result is sent as Apostrophe's res.send sends it: JSON with
// status 200, an empty 200 for nil, and a json.RawMessage as it is, once
// checked.
type Handler func(req *Request) (any, error)

// IDHandler answers a REST route with an _id: GetOne, Put, Patch and
// Delete. id is the URL's _id, decoded, as Apostrophe passes it.
type IDHandler func(req *Request, id string) (any, error)

// APIRoutes holds a module's named routes (Apostrophe's apiRoutes) by
// method (get, post, put, patch, delete), then by name. A name is
// kebab-cased into the URL (fetchItFine is /api/v1/<module>/fetch-it-fine);
// a name with : or / is a path under the module (":_id/orders", with
// Express's :params); a name starting with / is a URL from the site's root.
type APIRoutes map[string]map[string]Handler

// Module is one module of the project's own. Nil handlers are not served.
type Module struct {
	// Name is the module's name: its routes are under /api/v1/<Name>.
	Name string

	// The REST handlers of Apostrophe's restApiRoutes: GetAll and Post on
	// /api/v1/<Name>, the others on /api/v1/<Name>/:_id.
	GetAll Handler
	GetOne IDHandler
	Post   Handler
	Put    IDHandler
	Patch  IDHandler
	Delete IDHandler

	// APIRoutes are the named routes. Inside a module they win over
	// /:_id, as in Apostrophe.
	APIRoutes APIRoutes

	// Roles sets the lowest role of a route, by REST handler name
	// ("getAll", "getOne", "post", "put", "patch", "delete") or by method
	// and name of a named route ("post merge"). A route left out needs
	// admin to write (any method but GET) and, to read, the view role of
	// the type of the module's name, or guest when there is none: a route
	// open to anonymous callers is always said so, with apos.Anonymous.
	Roles map[string]apos.Role
}

// route is one route of a module, ready to add to the server.
type route struct {
	key     string // the Roles key
	method  string
	path    string
	handler Handler
	rest    IDHandler
	// hasID: the path has an :_id, whose locale and mode count.
	hasID bool
}

// routes lists the module's routes, REST handlers first.
func (m *Module) routes(prefix string) ([]route, error) {
	var out []route
	rest := map[string]Handler{"getAll": m.GetAll, "post": m.Post}
	restID := map[string]IDHandler{"getOne": m.GetOne, "put": m.Put, "patch": m.Patch, "delete": m.Delete}
	for _, name := range config.RestHandlers {
		method, key := config.RestRoute(name)
		r := route{key: name, method: method, path: config.RoutePath(prefix, m.Name, key),
			handler: rest[name], rest: restID[name], hasID: key != ""}
		if r.handler != nil || r.rest != nil {
			out = append(out, r)
		}
	}
	for _, method := range slices.Sorted(maps.Keys(m.APIRoutes)) {
		if !slices.Contains(config.RouteMethods, method) {
			return nil, fmt.Errorf("APIRoutes: unknown method %q (use %s)", method, strings.Join(config.RouteMethods, ", "))
		}
		for _, name := range slices.Sorted(maps.Keys(m.APIRoutes[method])) {
			h := m.APIRoutes[method][name]
			if err := config.CheckRouteKey(name); err != nil {
				return nil, fmt.Errorf("APIRoutes[%q]: %w", method, err)
			}
			if h == nil {
				continue
			}
			out = append(out, route{key: method + " " + name, method: strings.ToUpper(method),
				path: config.RoutePath(prefix, m.Name, name), handler: h,
				hasID: slices.Contains(config.PathParams(name), "_id")})
		}
	}
	return out, nil
}

// Routes lists the routes of mods, for s to serve after its type routes
// (s.AddRoutes). A module without a name, or a Roles key that names no
// route, is an error; so is, when s adds it, a route that collides with
// one already served (a type's, another module's), named after its module
// and handler. Either way the server does not start half-routed.
func Routes(s Server, mods ...*Module) ([]endpoint.Route, error) {
	var out []endpoint.Route
	for _, m := range mods {
		routes, err := m.endpoints(s)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Name, err)
		}
		out = append(out, routes...)
	}
	return out, nil
}

// endpoints lists the routes of m, checked.
func (m *Module) endpoints(s Server) ([]endpoint.Route, error) {
	if m.Name == "" || strings.HasPrefix(m.Name, "/") || strings.HasSuffix(m.Name, "/") {
		return nil, fmt.Errorf("a module needs a name, such as mydatabase")
	}
	routes, err := m.routes(s.Prefix())
	if err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for _, r := range routes {
		keys[r.key] = true
	}
	for _, k := range slices.Sorted(maps.Keys(m.Roles)) {
		if !keys[k] {
			return nil, fmt.Errorf("the Roles key %q names no route of the module", k)
		}
	}
	out := make([]endpoint.Route, 0, len(routes))
	for _, r := range routes {
		out = append(out, endpoint.Route{Name: "module " + m.Name + ": " + r.key,
			Method: r.method, Path: r.path, MinRole: m.role(s, r), Handler: r.serve(s)})
	}
	return out, nil
}

// role is the lowest role of route r (see Module.Roles).
func (m *Module) role(s Server, r route) apos.Role {
	if role, ok := m.Roles[r.key]; ok {
		return role
	}
	if r.method != "GET" {
		return apos.Admin
	}
	if role, ok := s.ViewRole(m.Name); ok {
		return max(role, apos.Guest) // never public unless said so
	}
	return apos.Guest
}
