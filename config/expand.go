package config

import (
	"fmt"
	"regexp"
	"strings"
)

// expander replaces ${VAR} and ${VAR:-default} in every string of a
// decoded TOML tree. It works on the raw tree, before values are converted,
// so that durations and the like can come from the environment too.
type expander struct {
	lookup func(string) (string, bool)
	errs   *errorList
}

// tree expands the strings under a TOML table, in place.
func (x *expander) tree(root map[string]any) {
	for k, v := range root {
		root[k] = x.value(joinKey("", k), []string{k}, v)
	}
}

// value expands v, found at path (whose unquoted segments are segs), and
// returns the result.
func (x *expander) value(path string, segs []string, v any) any {
	switch v := v.(type) {
	case string:
		if len(segs) == 3 && segs[0] == "api_keys" && segs[2] == "secret" {
			return x.secret(path, v)
		}
		s, err := expand(v, x.resolve)
		if err != nil {
			x.errs.addf(path, "%v", err)
		}
		return s
	case map[string]any:
		for k, e := range v {
			v[k] = x.value(joinKey(path, k), append(segs[:len(segs):len(segs)], k), e)
		}
	case []map[string]any:
		for i, e := range v {
			x.value(indexKey(path, i), segs, e)
		}
	case []any:
		for i, e := range v {
			v[i] = x.value(indexKey(path, i), segs, e)
		}
	}
	return v
}

// resolve gives a variable's value, its default when it is unset or empty
// (as the shell does), and an error when it is unset without a default.
func (x *expander) resolve(name, def string, hasDef bool) (string, error) {
	v, ok := x.lookup(name)
	switch {
	case hasDef && v == "":
		return def, nil
	case !ok:
		return "", fmt.Errorf("environment variable %s is not set; write ${%s:-} to allow empty", name, name)
	}
	return v, nil
}

// secret expands an API key's secret. An unset variable means the key does
// not exist (the secret becomes empty and the key is dropped), and a
// default is refused: the proxy never runs with a secret written in the
// file as a fallback.
func (x *expander) secret(path, v string) string {
	unset := false
	s, err := expand(v, func(name, def string, hasDef bool) (string, error) {
		if hasDef {
			return "", fmt.Errorf("a secret takes no default; write ${%s} and the key exists only when %s is set", name, name)
		}
		v, ok := x.lookup(name)
		unset = unset || !ok || v == ""
		return v, nil
	})
	if err != nil {
		x.errs.addf(path, "%v", err)
		return ""
	}
	if unset {
		return ""
	}
	return s
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// expand replaces each ${NAME} or ${NAME:-default} of s with what resolve
// gives, and $$ with $. A default is literal text up to the first "}". A
// "$" followed by anything else stays as it is. Errors never quote s,
// which may hold secrets.
func expand(s string, resolve func(name, def string, hasDef bool) (string, error)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 || i == len(s)-1 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			s = s[i+2:]
			continue
		case '{':
		default:
			b.WriteByte('$')
			s = s[i+1:]
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf(`unterminated "${"; write $$ for a literal dollar sign`)
		}
		ref := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(ref, ":-")
		if !envName.MatchString(name) {
			return "", fmt.Errorf(`bad environment variable name %q in "${...}"`, name)
		}
		v, err := resolve(name, def, hasDef)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
}
