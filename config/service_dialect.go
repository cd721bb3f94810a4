package config

import (
	"fmt"
	"strings"
)

// ServiceSort maps Apostrophe's sort onto the service's parameters:
// json-server's _sort=title,year&_order=asc,desc when Order is set, or
// sort=title,-year when it is not.
type ServiceSort struct {
	// Param names the parameter that lists the sort fields, by their
	// paths in the service's items, separated by commas.
	Param string `toml:"param"`
	// Order names the parameter that lists "asc" or "desc" for each
	// field. Empty: a descending field is written with "-" before it.
	Order string `toml:"order"`
	// Fields are the API fields the service can sort by.
	Fields []string `toml:"fields"`
}

// ServiceSearch says how a list searches and autocompletes. Written as a
// string, it is the parameter of the service's own text search (e.g. "q");
// as a table, { fields = ["title"] } searches with that field's contains
// filter and autocompletes with its prefix filter.
type ServiceSearch struct {
	// Param is the parameter that carries the text.
	Param string `toml:"param"`
	// Escape is how the text is escaped for the service: "none" (the
	// default), "regex" or "like".
	Escape string `toml:"escape"`
	// Fields are the API fields the service searches: the type's
	// searchable fields exactly. Without Param, one field, whose filter
	// templates search.
	Fields []string `toml:"fields"`
}

func (s *ServiceSearch) setShort(param string) { *s = ServiceSearch{Param: param} }

// Set reports whether the service can search.
func (s *ServiceSearch) Set() bool { return s.Param != "" || len(s.Fields) > 0 }

// ServiceFilter says how the service filters by one field. Written as a
// string, it is a parameter's name, sent with the one value given, and the
// service decides how it matches. As a table, each operator the field's
// kind uses (docs/api-rules.md#23) has a parameter template such as
// "year_gte={min}&year_lte={max}".
type ServiceFilter struct {
	// Param is the string form's parameter.
	Param string `toml:"-"`
	// Equal ({value}) matches a value exactly: integers, floats, dates,
	// datetimes and booleans, and a select field's one value.
	Equal string `toml:"equal"`
	// Contains ({value}) matches a substring, ignoring case: strings.
	Contains string `toml:"contains"`
	// Prefix ({value}) matches the start of a word: the autocomplete of a
	// string field that search.fields names.
	Prefix string `toml:"prefix"`
	// In matches any of several values: the template once per value with
	// {value}, or once with {values} (the values separated by commas).
	In string `toml:"in"`
	// Range ({min} and {max}) matches an inclusive range.
	Range string `toml:"range"`
	// Escape is how values are escaped for the service: "none" (the
	// default), "regex" (json-server's _like) or "like" (SQL's LIKE).
	Escape string `toml:"escape"`
}

func (f *ServiceFilter) setShort(param string) { *f = ServiceFilter{Param: param} }

// The placeholders of parameter templates.
const (
	VarValue  PathVar = "value"
	VarValues PathVar = "values"
	VarMin    PathVar = "min"
	VarMax    PathVar = "max"
)

// The escapes of values in parameters.
const (
	EscapeNone  = "none"
	EscapeRegex = "regex"
	EscapeLike  = "like"
)

var escapes = []string{"", EscapeNone, EscapeRegex, EscapeLike}

// FilterOp is one operator of a filter, with its template.
type FilterOp struct {
	Key      string // equal, contains, prefix, in, range
	Template string
}

// Ops lists the filter's templated operators, in a fixed order.
func (f *ServiceFilter) Ops() []FilterOp {
	var ops []FilterOp
	for _, o := range []FilterOp{{"equal", f.Equal}, {"contains", f.Contains}, {"prefix", f.Prefix}, {"in", f.In}, {"range", f.Range}} {
		if o.Template != "" {
			ops = append(ops, o)
		}
	}
	return ops
}

// QueryParam is one parameter of a template: a name, and a value made of
// text and placeholders.
type QueryParam struct {
	Name  string
	Value []PathPart
}

// ParseQuery splits a parameter template such as
// "year_gte={min}&year_lte={max}" into its parameters. It is nil for a
// template Load refused.
func ParseQuery(template string) []QueryParam {
	q, err := parseQuery(template)
	if err != nil {
		return nil
	}
	return q
}

// parseQuery splits and checks a parameter template; which placeholders
// it may use is checked by its caller.
func parseQuery(template string) ([]QueryParam, error) {
	if strings.ContainsAny(template, "# ?") {
		return nil, fmt.Errorf("must not contain #, ? or spaces: write name={value}, joined by &")
	}
	var out []QueryParam
	for _, p := range strings.Split(template, "&") {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" || strings.ContainsAny(name, "{}") {
			return nil, fmt.Errorf("%q is not name=value: write name={value}, joined by &", p)
		}
		parts, err := parseTemplate("/" + value)
		if err != nil {
			return nil, err
		}
		parts[0].Text = parts[0].Text[1:]
		out = append(out, QueryParam{Name: name, Value: parts})
	}
	return out, nil
}

// queryVars lists the placeholders a parameter template uses.
func queryVars(q []QueryParam) []PathVar {
	var vars []PathVar
	for _, p := range q {
		for _, part := range p.Value {
			if part.Var != "" {
				vars = append(vars, part.Var)
			}
		}
	}
	return vars
}

// BodyTemplate splits the operation's body template into text and
// placeholders ({key}, {group}, {locale}, {mode}); nil when it has none.
func (o ServiceOperation) BodyTemplate() []PathPart {
	return parseBody(o.Body)
}

// parseBody finds the placeholders of a body template: a name of
// lower-case letters between braces, which JSON's own braces never are.
func parseBody(body string) []PathPart {
	var parts []PathPart
	var text strings.Builder
	for rest := body; rest != ""; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			text.WriteString(rest)
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		name := ""
		if end > 0 {
			name = rest[open+1 : open+end]
		}
		if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz") != "" {
			text.WriteString(rest[:open+1])
			rest = rest[open+1:]
			continue
		}
		text.WriteString(rest[:open])
		if text.Len() > 0 {
			parts = append(parts, PathPart{Text: text.String()})
			text.Reset()
		}
		parts = append(parts, PathPart{Var: PathVar(name)})
		rest = rest[open+end+1:]
	}
	if text.Len() > 0 {
		parts = append(parts, PathPart{Text: text.String()})
	}
	return parts
}
