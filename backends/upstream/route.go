package upstream

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// placeholder is a part of a path template filled from the request.
type placeholder uint8

// The placeholders of a path template; literal is plain text.
const (
	literal placeholder = iota
	phKey
	phLocale
	phMode
)

var (
	placeholders     = map[string]placeholder{"key": phKey, "locale": phLocale, "mode": phMode}
	placeholderNames = [...]string{phKey: "key", phLocale: "locale", phMode: "mode"}
)

// part is one piece of a compiled path template.
type part struct {
	ph  placeholder
	lit string
}

// route is one operation of the service: a method and a compiled path
// template such as "/v2/items/{key}?language={locale}".
type route struct {
	method string
	parts  []part
}

// vars are a call's placeholder values, already translated into the
// service's values.
type vars struct {
	key, locale, mode string
}

// compileRoute parses a path template. allowed says which placeholders the
// operation may use; the errors name the problem, the caller the key.
func compileRoute(method, path string, allowed ...placeholder) (route, error) {
	r := route{method: method}
	if !strings.HasPrefix(path, "/") {
		return r, fmt.Errorf("must start with /")
	}
	if strings.ContainsAny(path, "# ") {
		return r, fmt.Errorf("must not contain # or spaces")
	}
	for rest := path; rest != ""; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			r.parts = append(r.parts, part{lit: rest})
			break
		}
		if open > 0 {
			r.parts = append(r.parts, part{lit: rest[:open]})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return r, fmt.Errorf("unclosed { in %q", path)
		}
		name := rest[open+1 : open+end]
		ph, ok := placeholders[name]
		if !ok || !slices.Contains(allowed, ph) {
			return r, fmt.Errorf("placeholder {%s} is not available here (use %s)", name, names(allowed))
		}
		r.parts = append(r.parts, part{ph: ph})
		rest = rest[open+end+1:]
	}
	return r, nil
}

// uses reports whether the template has placeholder ph.
func (r *route) uses(ph placeholder) bool {
	for _, p := range r.parts {
		if p.ph == ph {
			return true
		}
	}
	return false
}

// appendURI appends base and the expanded template to dst, escaping each
// value.
func (r *route) appendURI(dst []byte, base string, v *vars) []byte {
	dst = append(dst, base...)
	for _, p := range r.parts {
		switch p.ph {
		case literal:
			dst = append(dst, p.lit...)
		case phKey:
			dst = appendEscaped(dst, v.key)
		case phLocale:
			dst = appendEscaped(dst, v.locale)
		case phMode:
			dst = appendEscaped(dst, v.mode)
		}
	}
	return dst
}

// appendParam appends a query parameter to a URI.
func appendParam(dst []byte, name, value string) []byte {
	sep := byte('?')
	if bytes.IndexByte(dst, '?') >= 0 {
		sep = '&'
	}
	dst = append(dst, sep)
	dst = appendEscaped(dst, name)
	dst = append(dst, '=')
	return appendEscaped(dst, value)
}

// appendEscaped percent-encodes every byte but RFC 3986's unreserved ones,
// which is right both in a path segment and in a query value.
func appendEscaped(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hex[c>>4], hex[c&15])
	}
	return dst
}

// names lists placeholders for error messages.
func names(phs []placeholder) string {
	if len(phs) == 0 {
		return "none"
	}
	out := make([]string, len(phs))
	for i, ph := range phs {
		out[i] = "{" + placeholderNames[ph] + "}"
	}
	return strings.Join(out, ", ")
}
