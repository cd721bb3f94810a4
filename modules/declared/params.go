package declared

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/aposproxy/aposproxy/modules"
)

// contextNames are the parameters every route has without declaring them:
// the request's context and its paging.
var contextNames = []string{"_mode", "_locale", "_user", "_userId", "_role", "_page", "_perPage", "_limit", "_offset"}

// Paging of lists: perPage's default and cap, as for types.
const (
	defaultPerPage = 50
	maxPerPage     = 1000
)

// params knows the parameters of one route: the declared ones, the path's,
// and the context's.
type params struct {
	declared map[string]config.RouteParam
	path     []string // path parameters, such as _id
	hasID    bool     // the path has an _id, so _aposDocId exists
	returned []string // names set by statements' returns, so far
	// ranges bounds the integer parameters that a statement binds
	// narrower than 64 bits (see sqlbackend.DB.IntRanges).
	ranges map[string]sqldb.IntRange
}

// bound narrows the ranges of parameters to those one statement takes.
func (p *params) bound(ranges map[string]sqldb.IntRange) {
	for name, r := range ranges {
		if p.ranges == nil {
			p.ranges = map[string]sqldb.IntRange{}
		}
		if old, ok := p.ranges[name]; ok {
			r = sqldb.IntRange{Min: max(r.Min, old.Min), Max: min(r.Max, old.Max)}
		}
		p.ranges[name] = r
	}
}

// value converts the raw value of the declared parameter name to kind,
// or returns the message that says why it cannot be: not of the kind, or
// an integer its statements cannot take.
func (p *params) value(name, kind string, raw gjson.Result) (any, string) {
	v, ok := convert(kind, raw)
	if !ok {
		return nil, "Must be " + article(kind) + "."
	}
	n, isInt := v.(int64)
	if r := p.ranges[name]; isInt && !r.Holds(n) {
		return nil, fmt.Sprintf("Must be between %d and %d.", r.Min, r.Max)
	}
	return v, ""
}

func newParams(ref config.RouteRef) *params {
	p := &params{declared: ref.Route.Params, path: config.PathParams(ref.Name)}
	p.hasID = slices.Contains(p.path, "_id")
	return p
}

// provides reports whether a value named name exists for the route.
func (p *params) provides(name string) bool {
	_, ok := p.declared[name]
	return ok || slices.Contains(p.path, name) || slices.Contains(contextNames, name) ||
		p.hasID && name == "_aposDocId" || slices.Contains(p.returned, name)
}

// missing returns a message naming a parameter that nothing provides.
func (p *params) missing(name string) string {
	return ":" + name + " is no parameter of the route: declare it in params (from query or body), or use a path parameter or one of " +
		strings.Join(contextNames, ", ") + " (and _id, _aposDocId on routes with an _id)"
}

// values gathers every parameter of one request: declared ones converted
// to their kind (mistakes are one 400 invalid naming each), path ones as
// text, and the context.
func (p *params) values(req *modules.Request) (map[string]any, error) {
	vals := make(map[string]any, len(p.declared)+len(p.path)+len(contextNames)+1)
	for _, name := range p.path {
		vals[name] = req.Param(name)
	}
	if p.hasID {
		id, ok := req.ID()
		vals["_aposDocId"] = vals["_id"]
		if ok {
			vals["_aposDocId"] = id.DocID
		}
	}
	vals["_mode"], vals["_locale"], vals["_role"] = string(req.Mode()), req.Locale(), req.Role().String()
	vals["_user"], vals["_userId"] = nil, nil
	if u := req.User(); u != nil {
		vals["_user"], vals["_userId"] = orNil(u.Username), orNil(u.ID)
	}
	page := launderInt(req.Query("page"), 1, 1, 1<<31)
	perPage := launderInt(req.Query("perPage"), defaultPerPage, 1, maxPerPage)
	vals["_page"], vals["_perPage"] = int64(page), int64(perPage)
	vals["_limit"], vals["_offset"] = int64(perPage), int64((page-1)*perPage)
	if len(p.declared) == 0 {
		return vals, nil
	}
	body, err := req.Body()
	if err != nil {
		return nil, err
	}
	var verr apos.ValidationError
	for name, d := range p.declared {
		where, raw := d.Query, gjson.Result{}
		if d.Body != "" {
			where, raw = d.Body, body.Get(d.Body)
		} else if q := req.QueryArgs().Peek(d.Query); q != nil {
			raw = gjson.Result{Type: gjson.String, Str: string(q)}
		}
		if !raw.Exists() || raw.Type == gjson.Null {
			if d.Required {
				verr.Fields = append(verr.Fields, apos.FieldError{Path: where, Name: "required"})
			}
			vals[name] = nil
			continue
		}
		v, msg := p.value(name, d.Kind, raw)
		if msg != "" {
			verr.Fields = append(verr.Fields, apos.FieldError{Path: where, Name: "invalid", Msg: msg})
			continue
		}
		vals[name] = v
	}
	if len(verr.Fields) > 0 {
		slices.SortFunc(verr.Fields, func(a, b apos.FieldError) int { return strings.Compare(a.Path, b.Path) })
		return nil, &verr
	}
	return vals, nil
}

// convert reads a JSON value (or a query string, as a JSON string) as kind.
func convert(kind string, v gjson.Result) (any, bool) {
	text := strings.TrimSpace(v.Str)
	switch kind {
	case "string":
		switch v.Type {
		case gjson.String:
			return v.Str, true
		case gjson.Number, gjson.True, gjson.False:
			return v.Raw, true
		}
	case "integer":
		if v.Type == gjson.Number {
			text = v.Raw
		}
		if v.Type == gjson.Number || v.Type == gjson.String {
			n, err := strconv.ParseInt(text, 10, 64)
			return n, err == nil
		}
	case "float":
		if v.Type == gjson.Number {
			return v.Num, true
		}
		if v.Type == gjson.String {
			f, err := strconv.ParseFloat(text, 64)
			return f, err == nil
		}
	case "boolean":
		switch v.Type {
		case gjson.True, gjson.False:
			return v.Bool(), true
		case gjson.String:
			b, err := strconv.ParseBool(text)
			return b, err == nil
		}
	case "json":
		if v.Type == gjson.String && v.Raw == "" {
			// from the query string: held to a body's rules (depth, duplicate keys)
			return v.Str, endpoint.CheckJSON([]byte(v.Str)) == nil
		}
		return v.Raw, true
	}
	return nil, false
}

func article(kind string) string {
	if kind == "integer" {
		return "an integer"
	}
	if kind == "json" {
		return "JSON"
	}
	return "a " + kind
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// launderInt reads an integer parameter as Apostrophe's launder.integer
// does: a default when it is not a number, clamped to [lo, hi].
func launderInt(s string, def, lo, hi int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return min(max(n, lo), hi)
}
