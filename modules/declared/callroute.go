package declared

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/upstream"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/modules"
)

// callRoute is a route backed by one request to an upstream service.
type callRoute struct {
	c      *upstream.Client
	p      *params
	method string
	// path alternates literal text (even indexes) and parameter names
	// (odd indexes), from the template's {name}s.
	path        []string
	body        [][2]string // sjson path, parameter
	pick, total string      // gjson paths into the answer
	shape       shape
}

// newCallRoute compiles the route's call and checks that each parameter
// it uses is provided; errors name the call's key path.
func newCallRoute(c *upstream.Client, ref config.RouteRef, path string, sh shape) (*callRoute, error) {
	rc := ref.Route.Call
	r := &callRoute{c: c, p: newParams(ref), method: rc.Method, pick: rc.Pick, total: rc.Total, shape: sh}
	if r.method == "" {
		r.method = ref.Method
	}
	for rest := rc.Path; ; {
		open := strings.IndexByte(rest, '{')
		end := strings.IndexByte(rest, '}')
		if open < 0 || end < open {
			r.path = append(r.path, rest)
			break
		}
		name := rest[open+1 : end]
		if !r.p.provides(name) {
			return nil, fmt.Errorf("%s.call.path: %s", path, r.p.missing(name))
		}
		r.path = append(r.path, rest[:open], name)
		rest = rest[end+1:]
	}
	for _, k := range slices.Sorted(maps.Keys(rc.Body)) {
		if !r.p.provides(rc.Body[k]) {
			return nil, fmt.Errorf("%s.call.body.%s: %s", path, k, r.p.missing(rc.Body[k]))
		}
		r.body = append(r.body, [2]string{k, rc.Body[k]})
	}
	return r, nil
}

// handle sends the call and shapes the picked part of the answer.
func (r *callRoute) handle(req *modules.Request) (any, error) {
	vals, err := r.p.values(req)
	if err != nil {
		return nil, err
	}
	uri := make([]byte, 0, 128)
	for i, part := range r.path {
		if i%2 == 0 {
			uri = append(uri, part...)
		} else {
			uri = upstream.AppendEscaped(uri, pathText(vals[part]))
		}
	}
	var body []byte
	if len(r.body) > 0 {
		if body, err = r.bodyOf(vals); err != nil {
			return nil, err
		}
	}
	answer, err := r.c.Call(req.Context, r.method, string(uri), body)
	if err != nil {
		return nil, err
	}
	picked := gjson.GetBytes(answer, r.pick)
	var rows [][]byte
	total := -1
	switch r.shape.result {
	case "one":
		if !picked.Exists() {
			return nil, apos.Wrap(apos.ErrBadGateway, "", fmt.Errorf("the answer has nothing at %s", r.pick))
		}
		rows = [][]byte{[]byte(picked.Raw)}
	case "list":
		if !picked.IsArray() {
			return nil, apos.Wrap(apos.ErrBadGateway, "", fmt.Errorf("the answer has no array at %s", r.pick))
		}
		for _, item := range picked.Array() {
			rows = append(rows, []byte(item.Raw))
		}
		if r.total != "" {
			total = int(gjson.GetBytes(answer, r.total).Int())
		}
	}
	return r.shape.answer(req, vals, rows, 0, total)
}

// bodyOf renders the JSON body of the call: each parameter at its sjson
// path, json parameters as the JSON they hold.
func (r *callRoute) bodyOf(vals map[string]any) ([]byte, error) {
	doc := []byte("{}")
	for _, b := range r.body {
		var raw []byte
		switch v := vals[b[1]].(type) {
		case nil:
			raw = []byte("null")
		case string:
			raw = gjson.AppendJSONString(nil, v)
			if r.p.declared[b[1]].Kind == "json" {
				raw = []byte(v)
			}
		case bool:
			raw = strconv.AppendBool(nil, v)
		default:
			raw = []byte(text(v))
		}
		var err error
		if doc, err = sjson.SetRawBytes(doc, b[0], raw); err != nil {
			return nil, fmt.Errorf("call body %s: %w", b[0], err)
		}
	}
	return doc, nil
}

// pathText is a parameter's value as text for a path or query.
func pathText(v any) string {
	if b, ok := v.(bool); ok {
		return strconv.FormatBool(b)
	}
	return text(v)
}
