package upstream

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// param is one query parameter, not yet percent-encoded.
type param struct{ name, value string }

// filter is how the service filters by one field (config.ServiceFilter,
// parsed): a parameter the service matches as it likes, or templates per
// operator, whose values are escaped for the service's syntax.
type filter struct {
	param                              string
	equal, contains, prefix, in, rangE []config.QueryParam
	escape                             func(string) string
}

// newFilters prepares the type's filters.
func newFilters(m map[string]config.ServiceFilter) map[string]filter {
	out := make(map[string]filter, len(m))
	for name, f := range m {
		out[name] = filter{
			param: f.Param, escape: escaper(f.Escape),
			equal: config.ParseQuery(f.Equal), contains: config.ParseQuery(f.Contains),
			prefix: config.ParseQuery(f.Prefix), in: config.ParseQuery(f.In), rangE: config.ParseQuery(f.Range),
		}
	}
	return out
}

// escaper returns the escaping of values for a service's query syntax, so
// that a client's text is matched as text: "(" in a filter reaching a
// regex-matching service is a client's word, not a broken pattern.
func escaper(name string) func(string) string {
	switch name {
	case config.EscapeRegex:
		return regexp.QuoteMeta
	case config.EscapeLike:
		return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace
	}
	return func(s string) string { return s }
}

// expand fills a template's placeholders.
func expand(q []config.QueryParam, values map[config.PathVar]string, dst []param) []param {
	for _, p := range q {
		var b strings.Builder
		for _, part := range p.Value {
			if part.Var == "" {
				b.WriteString(part.Text)
			} else {
				b.WriteString(values[part.Var])
			}
		}
		dst = append(dst, param{p.Name, b.String()})
	}
	return dst
}

// params translates one filter of a list into parameters, or refuses it.
func (f *filter) params(typ string, flt adapters.Filter, dst []param) ([]param, error) {
	values := make([]string, len(flt.Values))
	for i, v := range flt.Values {
		s, ok := filterValue(v)
		if !ok {
			return nil, apos.Errorf(apos.ErrInvalid, "%s cannot be filtered by an empty %s", typ, flt.Field)
		}
		values[i] = f.escape(s)
	}
	if f.param != "" {
		if flt.Op == adapters.OpRange || len(values) != 1 {
			return nil, apos.Errorf(apos.ErrInvalid, "%s can only be filtered by one value of %s", typ, flt.Field)
		}
		return append(dst, param{f.param, values[0]}), nil
	}
	one := func(q []config.QueryParam) []param {
		return expand(q, map[config.PathVar]string{config.VarValue: values[0]}, dst)
	}
	switch {
	case flt.Op == adapters.OpContains && f.contains != nil:
		return one(f.contains), nil
	case flt.Op == adapters.OpRange && f.rangE != nil:
		return expand(f.rangE, map[config.PathVar]string{config.VarMin: values[0], config.VarMax: values[1]}, dst), nil
	case flt.Op == adapters.OpIn && f.in != nil:
		joined := map[config.PathVar]string{config.VarValues: strings.Join(values, ",")}
		if usesValues(f.in) {
			return expand(f.in, joined, dst), nil
		}
		for _, v := range values {
			dst = expand(f.in, map[config.PathVar]string{config.VarValue: v}, dst)
		}
		return dst, nil
	case (flt.Op == adapters.OpEqual || flt.Op == adapters.OpIn && len(values) == 1) && f.equal != nil:
		return one(f.equal), nil
	}
	return nil, apos.Errorf(apos.ErrInvalid, "%s cannot be filtered by %s this way: its service does not offer it", typ, flt.Field)
}

// usesValues reports whether an "in" template takes every value at once.
func usesValues(q []config.QueryParam) bool {
	for _, p := range q {
		for _, part := range p.Value {
			if part.Var == config.VarValues {
				return true
			}
		}
	}
	return false
}

// filterValue renders a filter's value as a query parameter's.
func filterValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano), true
	}
	return "", false
}

// sortParams translates the sort of a list, or refuses a field the
// service cannot sort by.
func (a *Adapter) sortParams(sort []adapters.Sort, dst []param) ([]param, error) {
	if len(sort) == 0 {
		return dst, nil
	}
	if a.sort == nil {
		return nil, apos.Errorf(apos.ErrInvalid, "%s cannot be sorted: its service lists items in its own order", a.schema.Type)
	}
	fields, orders := make([]string, len(sort)), make([]string, len(sort))
	for i, s := range sort {
		path, ok := a.sortPaths[s.Field]
		if !ok {
			return nil, apos.Errorf(apos.ErrInvalid, "%s cannot be sorted by %s", a.schema.Type, s.Field)
		}
		fields[i], orders[i] = path, "asc"
		if s.Desc {
			orders[i] = "desc"
			if a.sort.Order == "" {
				fields[i] = "-" + path
			}
		}
	}
	dst = append(dst, param{a.sort.Param, strings.Join(fields, ",")})
	if a.sort.Order != "" {
		dst = append(dst, param{a.sort.Order, strings.Join(orders, ",")})
	}
	return dst, nil
}

// searchParams translates search or autocomplete: the service's search
// parameter, or the filter of the one field it searches.
func (a *Adapter) searchParams(term string, prefix bool, dst []param) ([]param, error) {
	typ := a.schema.Type
	s := &a.search
	switch {
	case s.Param != "":
		return append(dst, param{s.Param, escaper(s.Escape)(term)}), nil
	case len(s.Fields) == 1:
		f := a.filters[s.Fields[0]]
		q := f.contains
		if prefix {
			q = f.prefix
		}
		if q == nil {
			return nil, apos.Errorf(apos.ErrInvalid, "%s cannot autocomplete", typ)
		}
		return expand(q, map[config.PathVar]string{config.VarValue: f.escape(term)}, dst), nil
	}
	return nil, apos.Errorf(apos.ErrInvalid, "%s cannot be searched", typ)
}

// listParams translates sort, search and filters into query parameters,
// and refuses what the service cannot do.
func (a *Adapter) listParams(q *adapters.Query) ([]param, error) {
	typ := a.schema.Type
	params, err := a.sortParams(q.Sort, nil)
	if err != nil {
		return nil, err
	}
	term, prefix := q.Search, false
	if q.Autocomplete != "" {
		if term != "" && term != q.Autocomplete {
			return nil, apos.Errorf(apos.ErrInvalid, "%s cannot take both search and autocomplete", typ)
		}
		term, prefix = q.Autocomplete, term == ""
	}
	if q.IDs != nil && (term != "" || len(q.Filters) > 0) {
		return nil, apos.Errorf(apos.ErrInvalid, "%s cannot combine _ids with search or filters", typ)
	}
	if term != "" {
		if params, err = a.searchParams(term, prefix, params); err != nil {
			return nil, err
		}
	}
	for _, flt := range q.Filters {
		f, ok := a.filters[flt.Field]
		if !ok {
			return nil, apos.Errorf(apos.ErrInvalid, "%s cannot be filtered by %s", typ, flt.Field)
		}
		if params, err = f.params(typ, flt, params); err != nil {
			return nil, err
		}
	}
	return params, nil
}
