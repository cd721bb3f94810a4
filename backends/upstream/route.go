package upstream

import (
	"bytes"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/config"
)

// route is one operation of the service: a method and a path template
// such as "/v2/items/{key}?language={locale}", as Load checked them.
type route struct {
	method string
	parts  []config.PathPart
	body   []config.PathPart // the body template, or nil
}

// newRoute prepares op for calls; an operation without a path has no
// parts, and the adapter answers that it cannot do it.
func newRoute(op config.ServiceOperation) route {
	return route{method: op.Method, parts: op.Template(), body: op.BodyTemplate()}
}

// optionalRoute is the route of op, or nil when it has no path.
func optionalRoute(op config.ServiceOperation) *route {
	if op.Path == "" {
		return nil
	}
	r := newRoute(op)
	return &r
}

// vars are a call's placeholder values, already translated into the
// service's values.
type vars struct {
	key, locale, mode string
	group             string // the aposDocId, when variants are records of their own
}

// value is the value of placeholder v.
func (v *vars) value(name config.PathVar) string {
	switch name {
	case config.VarKey:
		return v.key
	case config.VarLocale:
		return v.locale
	case config.VarMode:
		return v.mode
	case config.VarGroup:
		return v.group
	}
	return ""
}

// appendBody renders the body template with v's values, escaped for the
// JSON strings they stand in; nil without a template.
func (r *route) appendBody(v *vars) []byte {
	if r.body == nil {
		return nil
	}
	var dst []byte
	for _, p := range r.body {
		if p.Var == "" {
			dst = append(dst, p.Text...)
			continue
		}
		quoted := gjson.AppendJSONString(nil, v.value(p.Var))
		dst = append(dst, quoted[1:len(quoted)-1]...)
	}
	return dst
}

// appendURI appends base and the expanded template to dst, escaping each
// value.
func (r *route) appendURI(dst []byte, base string, v *vars) []byte {
	dst = append(dst, base...)
	for _, p := range r.parts {
		if p.Var == "" {
			dst = append(dst, p.Text...)
		} else {
			dst = appendEscaped(dst, v.value(p.Var))
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
