package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

var (
	pathSegment  = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	results      = []string{"one", "list", "count", "none", "document"}
	expectErrors = []string{"invalid", "forbidden", "notfound", "conflict", "unprocessable"}
	httpMethods  = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
	callPath     = regexp.MustCompile(`^/[^\s#]*$`)
	placeholder  = regexp.MustCompile(`\{([^{}]*)\}`)
)

// validateModules checks every module, and that no two routes, and no
// route and a type's routes, answer the same method and URL.
func (c *Config) validateModules(errs *errorList) {
	taken := map[string]string{} // route shape -> who serves it
	for _, name := range c.TypeOrder {
		for _, shape := range typeRoutes(c.Server.Prefix, name) {
			taken[shape] = joinKey("types", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Modules)) {
		c.Modules[name].validate(c, taken, errs)
	}
}

// validate records the mistakes of one module; taken holds the routes
// already served.
func (m *Module) validate(c *Config, taken map[string]string, errs *errorList) {
	path := joinKey("modules", m.Name)
	if !typeName.MatchString(m.Name) || strings.HasPrefix(m.Name, "@apostrophecms/") {
		errs.addUnder(path, "a module name is letters, digits, @, /, _ or -, and not one of Apostrophe's own @apostrophecms/ modules")
	}
	if _, ok := c.Databases[m.Database]; m.Database != "" && !ok {
		errs.addf(path+".database", "no database named %q in [databases]", m.Database)
	}
	if _, ok := c.Upstreams[m.Upstream]; m.Upstream != "" && !ok {
		errs.addf(path+".upstream", "no upstream named %q in [upstreams]", m.Upstream)
	}
	for _, h := range slices.Sorted(maps.Keys(m.RestAPIRoutes)) {
		if !slices.Contains(RestHandlers, h) {
			errs.addf(joinKey(path+".rest_api_routes", h), "unknown handler: use %s", strings.Join(RestHandlers, ", "))
		}
	}
	for _, method := range slices.Sorted(maps.Keys(m.APIRoutes)) {
		if !slices.Contains(RouteMethods, method) {
			errs.addUnder(joinKey(path+".api_routes", method), "unknown method: use %s", strings.Join(RouteMethods, ", "))
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(m.APIRoutes[method])) {
			if err := CheckRouteKey(name); err != nil {
				errs.addf(joinKey(joinKey(path+".api_routes", method), name), "%v", err)
			}
		}
	}
	n := 0
	m.EachRoute(func(ref RouteRef) {
		n++
		rp := path + "." + ref.Key
		if ref.Handler == "" && CheckRouteKey(ref.Name) != nil {
			return // reported above
		}
		shape := routeShape(ref.Method, RoutePath(c.Server.Prefix, m.Name, ref.Name))
		if who, ok := taken[shape]; ok {
			errs.addf(rp, "%s is already served by %s", shape, who)
		} else {
			taken[shape] = rp
		}
		ref.Route.validate(c, m, rp, ref.Handler, errs)
	})
	if n == 0 {
		errs.addf(path, "a module needs at least one route in rest_api_routes or api_routes")
	}
}

// addUnder records a mistake at path, on the line of path or, when the
// file writes only keys below it (a module declared by its routes'
// headers alone), of the first of those.
func (l *errorList) addUnder(path, format string, args ...any) {
	first := 0
	if _, ok := l.lines[path]; !ok {
		for k, n := range l.lines {
			if strings.HasPrefix(k, path+".") && (first == 0 || n < first) {
				first = n
			}
		}
	}
	if first == 0 {
		l.addf(path, format, args...)
		return
	}
	l.errs = append(l.errs, &Error{File: l.file, Path: path, Line: first, Msg: fmt.Sprintf(format, args...)})
}

// validate records the mistakes of one route at path rp.
func (r *ModuleRoute) validate(c *Config, m *Module, rp, handler string, errs *errorList) {
	switch {
	case r.Public && r.Role != "":
		errs.addf(rp+".public", "set either public or role, not both")
	// Anonymous callers are let in only by public = true, so that a public
	// route is always explicit.
	case r.Role == apos.Anonymous.String():
		errs.addf(rp+".role", `let anonymous callers in with public = true`)
	case r.Role != "" && !roleAtLeast(r.Role, apos.Guest):
		errs.addf(rp+".role", "must be one of %s", rolesFrom(apos.Guest))
	}
	for _, name := range slices.Sorted(maps.Keys(r.Params)) {
		validateParam(joinKey(rp+".params", name), name, r.Params[name], errs)
	}
	switch {
	case len(r.SQL) > 0 && r.Call != nil:
		errs.addf(rp, "set either sql or call, not both")
	case len(r.SQL) > 0:
		r.validateSQL(m, rp, handler, errs)
	case r.Call != nil:
		r.Call.validate(m, rp+".call", errs)
	default:
		errs.addf(rp, "needs sql (statements to run) or call (an upstream request)")
	}
	if !slices.Contains(results, r.Result) {
		errs.addf(rp+".result", "must be one of %s", strings.Join(results, ", "))
	}
	switch {
	case r.Result == "count" && r.Call != nil:
		errs.addf(rp+".result", "count is only for sql routes")
	case (r.Result == "document") != (r.Document != nil):
		errs.addf(rp+".document", `document and result = "document" go together`)
	case r.Document != nil:
		if _, ok := c.Types[r.Document.Type]; !ok {
			errs.addf(rp+".document.type", "no type named %q in [types]", r.Document.Type)
		}
		if r.Document.ID == "" {
			errs.addf(rp+".document.id", "must name the parameter holding the document's _id")
		}
	}
	if r.Total != "" && (handler != "getAll" || len(r.SQL) == 0) {
		errs.addf(rp+".total", "is only for the sql of a getAll list")
	}
}

// validateParam checks one declared parameter. Names starting with _ are
// the request context's.
func validateParam(pp, name string, p RouteParam, errs *errorList) {
	if !fieldName.MatchString(name) || strings.HasPrefix(name, "_") {
		errs.addf(pp, "a parameter name is letters, digits and _, not starting with a digit or _ (names with _ are the request's context)")
	}
	if (p.Query == "") == (p.Body == "") {
		errs.addf(pp, "set exactly one of query (a query string parameter) and body (a path into the body)")
	}
	if !isOneOf(p.Kind, paramKinds) {
		errs.addf(pp+".kind", "must be one of %s", oneOf(paramKinds))
	}
}

// validateSQL checks the statements of a route. Which parameters they use
// is checked when the proxy starts, against the database's dialect.
func (r *ModuleRoute) validateSQL(m *Module, rp, handler string, errs *errorList) {
	if m.Database == "" {
		errs.addf(rp+".sql", "needs a database: set database on the module (or give it the name of a type with one)")
	}
	for i, s := range r.SQL {
		sp := indexKey(rp+".sql", i)
		if strings.TrimSpace(s.Text) == "" {
			errs.addf(sp, "needs the statement's text")
		}
		if s.Error != "" && !slices.Contains(expectErrors, s.Error) {
			errs.addf(sp, "error must be one of %s", strings.Join(expectErrors, ", "))
		}
		if (s.Error != "" || s.Message != "") && s.ExpectRows == nil {
			errs.addf(sp, "error and message are for a failed expect_rows")
		}
		for _, name := range s.Returns {
			if !fieldName.MatchString(name) || strings.HasPrefix(name, "_") {
				errs.addf(sp, "returns: %q must be letters, digits and _, not starting with a digit or _", name)
			}
		}
	}
}

// validate checks an upstream call.
func (rc *RouteCall) validate(m *Module, cp string, errs *errorList) {
	if m.Upstream == "" {
		errs.addf(cp, "needs an upstream: set upstream on the module (or give it the name of a type with one)")
	}
	if rc.Method != "" && !slices.Contains(httpMethods, rc.Method) {
		errs.addf(cp+".method", "must be one of %s", strings.Join(httpMethods, ", "))
	}
	if !callPath.MatchString(rc.Path) {
		errs.addf(cp+".path", "must start with / and have no spaces or #, such as /v2/items/{sku}")
	}
	for _, ph := range placeholder.FindAllStringSubmatch(rc.Path, -1) {
		if !fieldName.MatchString(ph[1]) {
			errs.addf(cp+".path", "{%s} must name a parameter", ph[1])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(rc.Body)) {
		if !fieldName.MatchString(rc.Body[k]) {
			errs.addf(joinKey(cp+".body", k), "must name a parameter")
		}
	}
}
