package openapi

import (
	"regexp"
	"slices"
	"strings"
)

// routerParam is a fasthttp/router parameter, {name}, {name:regexp} or
// {name:*}.
var routerParam = regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)

// route adds the operation of one registered route: a type's route when
// its path is under a type's URL, a known core or declared route, or a
// generic operation.
func (g *generator) route(method, path string) {
	path = routerParam.ReplaceAllString(path, "{$1}")
	rel, under := strings.CutPrefix(path, g.prefix)
	if strings.HasPrefix(rel, "/docs/") {
		return // the reference page's script and style sheet
	}
	if !under || rel == "" || rel[0] != '/' {
		g.outside(method, path)
		return
	}
	if o := g.declared(method, path); o != nil {
		g.op(rel, method, o)
		return
	}
	if typ, rest, ok := g.typeOf(rel); ok {
		if o := g.typeOp(typ, method, rest, rel); o != nil {
			g.op(rel, method, o)
			return
		}
	}
	if o := coreOp(method, rel); o != nil {
		g.op(rel, method, o)
		return
	}
	g.op(rel, method, generic(method, rel))
}

// typeOf finds the type whose URL rel is under (the longest name wins:
// type names may hold a /) and the rest of the path after it.
func (g *generator) typeOf(rel string) (typ, rest string, ok bool) {
	for name := range g.cfg.Types {
		r, found := strings.CutPrefix(rel, "/"+name)
		if found && (r == "" || r[0] == '/') && len(name) > len(typ) {
			typ, rest, ok = name, r, true
		}
	}
	return typ, rest, ok
}

// outside adds a route that is not under the API prefix, such as a
// declared route from the site's root, with a server of its own.
func (g *generator) outside(method, path string) {
	o := g.declared(method, path)
	if o == nil {
		o = generic(method, path)
	}
	g.op(path, method, o)
	if item, ok := g.paths[path].(obj); ok {
		item["servers"] = []any{obj{"url": "/", "description": "the site's root"}}
	}
}

// pathParams are the parameters of rel's {name} segments.
func pathParams(rel string) []any {
	var out []any
	for _, m := range routerParam.FindAllStringSubmatch(rel, -1) {
		p := obj{"name": m[1], "in": "path", "required": true, "schema": str()}
		switch m[1] {
		case "id", "_id":
			p["description"] = "The document's _id (aposDocId:locale:mode for a localized type), or its bare aposDocId."
		case "toLocale":
			p["description"] = "A configured locale."
		}
		out = append(out, p)
	}
	return out
}

// generic is the operation of a route the generator knows nothing more
// of: its path parameters, any JSON answer, the error envelope, and every
// way to authenticate.
func generic(method, rel string) obj {
	o := obj{
		"summary":     method + " " + rel,
		"description": "A route the proxy serves; its body and answer are not described further.",
		"tags":        []any{tagOf(rel)},
		"security":    security(true),
		"responses":   responses(anyJSON("The answer.")),
	}
	if ps := pathParams(rel); len(ps) > 0 {
		o["parameters"] = ps
	}
	if slices.Contains([]string{"POST", "PUT", "PATCH"}, method) {
		o["requestBody"] = obj{"content": jsonContent(obj{"type": "object"})}
	}
	return o
}

// tagOf is the tag of a route: its module, the first path segment (two
// for @scoped names).
func tagOf(rel string) string {
	segs := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	if strings.HasPrefix(segs[0], "@") && len(segs) > 1 {
		return segs[0] + "/" + segs[1]
	}
	return segs[0]
}
