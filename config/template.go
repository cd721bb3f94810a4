package config

import (
	"fmt"
	"strings"
)

// PathVar names a placeholder of a service route's path template, filled
// from the request when the route is called.
type PathVar string

// The placeholders of a path template: the item's key, and the request's
// locale and mode translated through the type's value maps.
const (
	VarKey    PathVar = "key"
	VarLocale PathVar = "locale"
	VarMode   PathVar = "mode"
	// VarGroup is the aposDocId of a type whose variants are records of
	// their own (service.group).
	VarGroup PathVar = "group"
)

// PathPart is one piece of a path template: literal text when Var is
// empty, else a placeholder.
type PathPart struct {
	Text string
	Var  PathVar
}

// Template splits the operation's path template into its parts, such as
// "/v2/items/", {key}, "?language=", {locale}. It is nil when the
// operation has no path, and for a path Load refused.
func (o ServiceOperation) Template() []PathPart {
	parts, err := parseTemplate(o.Path)
	if err != nil {
		return nil
	}
	return parts
}

// parseTemplate splits a path template and checks its syntax: a path from
// the upstream's base URL with {name} placeholders. Which placeholders an
// operation may use is checked by its caller.
func parseTemplate(path string) ([]PathPart, error) {
	if path == "" {
		return nil, nil
	}
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("must start with /")
	}
	if strings.ContainsAny(path, "# ") {
		return nil, fmt.Errorf("must not contain # or spaces")
	}
	var parts []PathPart
	for rest := path; rest != ""; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			parts = append(parts, PathPart{Text: rest})
			break
		}
		if open > 0 {
			parts = append(parts, PathPart{Text: rest[:open]})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unclosed { in %q", path)
		}
		name := rest[open+1 : open+end]
		if name == "" {
			return nil, fmt.Errorf("{} names no placeholder in %q", path)
		}
		parts = append(parts, PathPart{Var: PathVar(name)})
		rest = rest[open+end+1:]
	}
	return parts, nil
}

// usesVar reports whether parts have placeholder v.
func usesVar(parts []PathPart, v PathVar) bool {
	for _, p := range parts {
		if p.Var == v {
			return true
		}
	}
	return false
}
