package config

import (
	"fmt"
	"strings"
)

// RestRoute returns the method and route key of one of Apostrophe's REST
// handlers (getAll, getOne, post, put, patch, delete): getAll and post are
// on the module's own URL, the others on /:_id.
func RestRoute(handler string) (method, key string) {
	switch handler {
	case "getAll":
		return "GET", ""
	case "getOne":
		return "GET", ":_id"
	case "post":
		return "POST", ""
	}
	return strings.ToUpper(handler), ":_id"
}

// RoutePath returns the router path (fasthttp/router's syntax, {param}) of
// a module's route key, by Apostrophe's rules (docs/api-rules.md#58): "" is the
// module's URL, prefix/module; a key starting with / is a URL from the
// site's root; a key with : or / is used verbatim under the module; any
// other key is kebab-cased under it. Express's :param becomes {param}.
// The key must have passed CheckRouteKey.
func RoutePath(prefix, module, key string) string {
	base := prefix + "/" + module
	switch {
	case key == "":
		return base
	case strings.HasPrefix(key, "/"):
		return params(key)
	case strings.ContainsAny(key, ":/"):
		return base + "/" + params(key)
	}
	return base + "/" + Kebab(key)
}

// params turns each :name segment into {name}.
func params(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// PathParams lists the :name parameters of a route key, in order.
func PathParams(key string) []string {
	var names []string
	for _, s := range strings.Split(key, "/") {
		if strings.HasPrefix(s, ":") {
			names = append(names, s[1:])
		}
	}
	return names
}

// Kebab is Apostrophe's cssName: fetchItFine becomes fetch-it-fine. An
// upper-case letter (but the first) starts a new word, a run of anything
// but ASCII letters and digits becomes one dash, and the result is lower
// case.
func Kebab(name string) string {
	var b strings.Builder
	dash := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		upper := c >= 'A' && c <= 'Z'
		if !(upper || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			dash = true
			continue
		}
		if upper {
			dash = dash || i > 0
			c += 'a' - 'A'
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// CheckRouteKey reports what is wrong with a named route's key: it must
// not be empty, and a key with : or / is a path whose segments are plain
// (letters, digits, _, -, .) or :name parameters. Express's * patterns are
// not supported.
func CheckRouteKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("a route needs a name")
	case strings.ContainsAny(key, "*?()[]{} "):
		return fmt.Errorf("name %q: wildcards, patterns and spaces are not supported", key)
	case !strings.ContainsAny(key, ":/"):
		if Kebab(key) == "" {
			return fmt.Errorf("name %q has no letters or digits", key)
		}
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(key, "/"), "/")
	for _, s := range segs {
		name, param := strings.CutPrefix(s, ":")
		switch {
		case s == "":
			return fmt.Errorf("path %q has an empty segment", key)
		case param && !fieldName.MatchString(name):
			return fmt.Errorf("path %q: parameter :%s must be letters, digits and _, not starting with a digit", key, name)
		case !param && !pathSegment.MatchString(s):
			return fmt.Errorf("path %q: segment %q must be made of letters, digits, _, - and . only", key, s)
		}
	}
	return nil
}

// routeShape is a router path with every parameter written {}: two routes
// of one method with the same shape collide, whatever their parameters'
// names, while a static segment beside a parameter does not (the static
// one wins, as named routes win over /:_id).
func routeShape(method, path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = "{}"
		}
	}
	return method + " " + strings.Join(segs, "/")
}

// typeRoutes are the routes the proxy serves for each type, as shapes.
func typeRoutes(prefix, typeName string) []string {
	base := prefix + "/" + typeName
	one := base + "/{}"
	return []string{
		routeShape("GET", base), routeShape("POST", base),
		routeShape("GET", one), routeShape("PUT", one), routeShape("PATCH", one), routeShape("DELETE", one),
	}
}

// ModulePath is the key path of [modules.<name>], quoted as TOML needs it
// (modules."@acme/shop"), for errors found when the proxy starts.
func ModulePath(name string) string { return joinKey("modules", name) }
