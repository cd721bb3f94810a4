package upstream

import (
	"bytes"

	"github.com/aposproxy/aposproxy/config"
)

// route is one operation of the service: a method and a path template
// such as "/v2/items/{key}?language={locale}", as Load checked them.
type route struct {
	method string
	parts  []config.PathPart
}

// newRoute prepares op for calls; an operation without a path has no
// parts, and the adapter answers that it cannot do it.
func newRoute(op config.ServiceOperation) route {
	return route{method: op.Method, parts: op.Template()}
}

// vars are a call's placeholder values, already translated into the
// service's values.
type vars struct {
	key, locale, mode string
}

// uses reports whether the template has placeholder v.
func (r *route) uses(v config.PathVar) bool {
	for _, p := range r.parts {
		if p.Var == v {
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
		switch p.Var {
		case "":
			dst = append(dst, p.Text...)
		case config.VarKey:
			dst = appendEscaped(dst, v.key)
		case config.VarLocale:
			dst = appendEscaped(dst, v.locale)
		case config.VarMode:
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
