// Package modules is Apostrophe's module API in Go: a Module has the REST
// handlers of an Apostrophe module's restApiRoutes (GetAll, GetOne, Post,
// Put, Patch, Delete) and the named routes of its apiRoutes, and Register
// serves them under /api/v1/<name> next to the configured types.
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
//	err := modules.Register(server, m)
package modules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/proxy"
)

// Handler answers a route without an _id: GetAll, Post and every named
// route. Its result is sent as Apostrophe's res.send sends it: JSON with
// status 200, or an empty 200 for nil (see Register).
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

// Register serves the modules' routes on s, after its type routes. A
// module without a name, a route that collides with one already served (a
// type's, another module's), or a Roles key that names no route is an
// error, so that the server does not start half-routed.
func Register(s *proxy.Server, mods ...*Module) error {
	for _, m := range mods {
		if err := m.register(s); err != nil {
			return fmt.Errorf("module %s: %w", m.Name, err)
		}
	}
	return nil
}

func (m *Module) register(s *proxy.Server) error {
	if m.Name == "" || strings.HasPrefix(m.Name, "/") || strings.HasSuffix(m.Name, "/") {
		return fmt.Errorf("a module needs a name, such as mydatabase")
	}
	routes, err := m.routes(s.Prefix())
	if err != nil {
		return err
	}
	keys := map[string]bool{}
	for _, r := range routes {
		keys[r.key] = true
	}
	for _, k := range slices.Sorted(maps.Keys(m.Roles)) {
		if !keys[k] {
			return fmt.Errorf("Roles[%q] names no route of the module", k)
		}
	}
	for _, r := range routes {
		err := s.AddRoute(proxy.Route{Method: r.method, Path: r.path, MinRole: m.role(s, r), Handler: r.serve(s)})
		if err != nil {
			return fmt.Errorf("%s: %w", r.key, err)
		}
	}
	return nil
}

// role is the lowest role of route r (see Module.Roles).
func (m *Module) role(s *proxy.Server, r route) apos.Role {
	if role, ok := m.Roles[r.key]; ok {
		return role
	}
	if r.method != "GET" {
		return apos.Admin
	}
	if role, ok := s.ViewRole(m.Name); ok {
		return role
	}
	return apos.Guest
}
