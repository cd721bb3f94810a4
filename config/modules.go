package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// Module is [modules.<name>]: routes of the project's own under
// /api/v1/<name>, as an Apostrophe module's restApiRoutes and apiRoutes,
// each backed by SQL statements or by a call to an upstream service. The
// proxy gives them its authentication, roles, mode and locale parsing and
// error shapes.
type Module struct {
	// Name is the module's key in [modules]; set by Load.
	Name string `toml:"-"`
	// Database names the [databases] entry the module's SQL routes run
	// on. Default: the database of the type of the same name, if any.
	Database string `toml:"database"`
	// Upstream names the [upstreams] entry the module's call routes go
	// to. Default: the upstream of the type of the same name, if any.
	Upstream string `toml:"upstream"`
	// RestAPIRoutes holds Apostrophe's REST handlers by name: getAll,
	// getOne, post, put, patch and delete.
	RestAPIRoutes map[string]*ModuleRoute `toml:"rest_api_routes"`
	// APIRoutes holds named routes by method (get, post, put, patch,
	// delete), then by name: a name is kebab-cased into the URL, a name
	// with : or / is used verbatim under the module, and a name starting
	// with / is a URL from the site's root.
	APIRoutes map[string]map[string]*ModuleRoute `toml:"api_routes"`
}

// ModuleRoute is one declared route. It has either SQL statements or an
// upstream call.
type ModuleRoute struct {
	// Role is the lowest role allowed: guest, contributor, editor or
	// admin. Default: admin for writes; for reads, the view role of the
	// type of the module's name but at least guest (a route is public
	// only with Public), or guest when there is no such type.
	Role string `toml:"role"`
	// Public lets anonymous callers in; it cannot be combined with Role.
	Public bool `toml:"public"`
	// Params are the values taken from the query string or the body. Path
	// parameters and the request's context (_mode, _locale, _user,
	// _userId, _role, _page, _perPage, _limit, _offset, and _id and
	// _aposDocId on routes with an _id) need no declaration.
	Params map[string]RouteParam `toml:"params"`
	// SQL runs in one transaction, in order.
	SQL []RouteStatement `toml:"sql"`
	// Total is a statement giving the total count of a getAll list, for
	// its paging envelope.
	Total string `toml:"total"`
	// Call is the upstream request of the route.
	Call *RouteCall `toml:"call"`
	// Result is how the answer is shaped: one, list, count, none or
	// document. Default: list for getAll, document when Document is set,
	// one otherwise.
	Result string `toml:"result"`
	// Document names the configured type's document to answer with,
	// rendered as GET /api/v1/<type>/<id> renders it.
	Document *RouteDocument `toml:"document"`
}

// RouteParam says where one parameter comes from: exactly one of Query and
// Body.
type RouteParam struct {
	// Query is a query string parameter's name.
	Query string `toml:"query"`
	// Body is a gjson path into the JSON (or form) body.
	Body string `toml:"body"`
	// Kind is string (default), integer, float, boolean or json; a value
	// that is not of its kind is a 400 invalid naming the parameter.
	Kind string `toml:"kind"`
	// Required makes a missing value (or null) a 400 invalid with a
	// required error; otherwise a missing value is NULL.
	Required bool `toml:"required"`
}

// RouteStatement is one SQL statement of a route, written with :name
// parameters. It is written either as a string or as a table with the
// statement in text and what to expect of it.
type RouteStatement struct {
	Text string
	// ExpectRows, when set, is how many rows the statement must return
	// (or change); otherwise the route fails with Error and Message and
	// the transaction is rolled back.
	ExpectRows *int
	// Error is the Apostrophe error name of a failed expectation: invalid
	// (default), forbidden, notfound, conflict or unprocessable.
	Error string
	// Message is the failed expectation's message for clients.
	Message string
	// Returns names parameters that take the values of the first row the
	// statement returns, column by column, for the statements after it.
	Returns []string
}

// statementKeys are the keys of a statement written as a table.
var statementKeys = []string{"text", "expect_rows", "error", "message", "returns"}

// UnmarshalTOML accepts a statement as a string or, strictly, as a table
// of statementKeys.
func (s *RouteStatement) UnmarshalTOML(v any) error {
	*s = RouteStatement{}
	switch v := v.(type) {
	case string:
		s.Text = v
		return nil
	case map[string]any:
		var errs []error
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if err := s.set(k, v[k]); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	return errors.New(`a statement is a string, or a table such as { text = "UPDATE ...", expect_rows = 1 }`)
}

// set decodes one key of a statement table.
func (s *RouteStatement) set(k string, v any) error {
	str, isStr := v.(string)
	switch k {
	case "text", "error", "message":
		if !isStr {
			return fmt.Errorf("%s must be a string, not %s", k, tomlType(v))
		}
		switch k {
		case "text":
			s.Text = str
		case "error":
			s.Error = str
		default:
			s.Message = str
		}
	case "expect_rows":
		n, ok := v.(int64)
		if !ok || n < 0 || n > 1<<31 {
			return fmt.Errorf("expect_rows must be a count of rows, not %s", tomlType(v))
		}
		rows := int(n)
		s.ExpectRows = &rows
	case "returns":
		list, ok := v.([]any)
		for _, e := range list {
			name, isName := e.(string)
			ok = ok && isName
			s.Returns = append(s.Returns, name)
		}
		if !ok {
			return fmt.Errorf("returns must be an array of parameter names")
		}
	default:
		return fmt.Errorf("unknown key %q (a statement has %v)", k, statementKeys)
	}
	return nil
}

// RouteCall is the upstream request of a route. {name} in Path is the
// value of a parameter, escaped for its place.
type RouteCall struct {
	// Method defaults to the route's method.
	Method string `toml:"method"`
	// Path is the path and query after the upstream's URL, such as
	// "/v2/items/{sku}/restock?by={_user}".
	Path string `toml:"path"`
	// Body maps sjson paths of the JSON body to send to parameter names;
	// without it no body is sent.
	Body map[string]string `toml:"body"`
	// Pick is the gjson path of the answer's part to send back. Default
	// @this, the whole answer.
	Pick string `toml:"pick"`
	// Total is the gjson path of a getAll list's total count.
	Total string `toml:"total"`
}

// RouteDocument names a configured type's document.
type RouteDocument struct {
	// Type is a [types] name.
	Type string `toml:"type"`
	// ID names the parameter holding the document's _id or aposDocId.
	ID string `toml:"id"`
}

// The REST handlers and named-route methods of a module, in Apostrophe's
// names.
var (
	RestHandlers = []string{"getAll", "getOne", "post", "put", "patch", "delete"}
	RouteMethods = []string{"get", "post", "put", "patch", "delete"}
)

// setDefaults fills in a module's defaults; see the Module fields.
func (m *Module) setDefaults(c *Config) {
	if t, ok := c.Types[m.Name]; ok {
		setZero(&m.Database, t.Database)
		setZero(&m.Upstream, t.Upstream)
	}
	m.EachRoute(func(ref RouteRef) {
		r := ref.Route
		switch {
		case r.Result != "":
		case ref.Handler == "getAll":
			r.Result = "list"
		case r.Document != nil:
			r.Result = "document"
		default:
			r.Result = "one"
		}
		for name, p := range r.Params {
			setZero(&p.Kind, string(apos.String))
			r.Params[name] = p
		}
		if r.Call != nil {
			setZero(&r.Call.Method, ref.Method)
			setZero(&r.Call.Pick, "@this")
		}
	})
}

// RouteRef is one route of a module, as EachRoute gives it.
type RouteRef struct {
	// Key is the route's key path under the module, such as
	// rest_api_routes.getAll or api_routes.post.merge.
	Key string
	// Handler is the REST handler's name, or "" for a named route.
	Handler string
	// Method is the HTTP method: GET, POST, PUT, PATCH or DELETE.
	Method string
	// Name is the route's key for RoutePath: "" or ":_id" for the REST
	// handlers, the name of a named route.
	Name  string
	Route *ModuleRoute
}

// EachRoute calls f for each route of the module, REST handlers first
// (in Apostrophe's order), then named routes by method and name. Keys that
// are no handler or method are left out (validation reports them).
func (m *Module) EachRoute(f func(RouteRef)) {
	for _, h := range RestHandlers {
		if r, ok := m.RestAPIRoutes[h]; ok && r != nil {
			method, name := RestRoute(h)
			f(RouteRef{Key: joinKey("rest_api_routes", h), Handler: h, Method: method, Name: name, Route: r})
		}
	}
	for _, method := range RouteMethods {
		for _, name := range slices.Sorted(maps.Keys(m.APIRoutes[method])) {
			if r := m.APIRoutes[method][name]; r != nil {
				key := joinKey(joinKey("api_routes", method), name)
				f(RouteRef{Key: key, Method: strings.ToUpper(method), Name: name, Route: r})
			}
		}
	}
}
