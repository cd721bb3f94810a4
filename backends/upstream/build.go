package upstream

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// itemPath is what a path into service items may look like: dotted names,
// with nothing gjson or sjson would read as syntax.
var itemPath = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)

// defaultConcurrency caps the calls of one request made at once.
const defaultConcurrency = 8

// problems collects every mistake of a type's mapping, each under its key
// path, so that one start reports them all.
type problems struct {
	prefix string
	errs   []error
}

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s.%s: %s", p.prefix, key, fmt.Sprintf(format, args...)))
}

// build checks t's mapping and prepares everything calls need, so that
// requests only fill in values.
func build(c *Client, t *config.Type, opts Options) (*Adapter, error) {
	p := &problems{prefix: "types." + t.Name}
	s := t.Service
	if s == nil {
		p.add("service", "missing: a type served by an upstream needs a service table")
		return nil, errors.Join(p.errs...)
	}
	a := &Adapter{
		c:             c,
		defaultLocale: opts.DefaultLocale,
		columns:       t.Storage == string(apos.Columns),
		paging:        s.Paging,
		search:        s.Search,
		items:         s.Response.Items,
		total:         s.Response.Total,
		item:          s.Response.Item,
		concurrency:   s.Concurrency,
	}
	if t.Storage != string(apos.Columns) && t.Storage != string(apos.Autopublish) {
		p.add("storage", "must be columns or autopublish for a type served by an upstream")
	}
	a.schema = t.Schema()
	if a.schema.Localized && opts.DefaultLocale == "" {
		p.add("locale", "the default locale is unknown (Options.DefaultLocale)")
	}
	a.mapItem(t, p)
	a.mapRoutes(t, p)
	a.mapList(t, p)
	a.mapAnswers(s, p)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return a, nil
}

// mapItem prepares the paths into service items: the key, the locale and
// mode fields, and every API field. Two paths may not overlap, since a
// write to one would overwrite the other.
func (a *Adapter) mapItem(t *config.Type, p *problems) {
	type use struct{ key, path string }
	var uses []use
	check := func(key, path string) {
		if !itemPath.MatchString(path) {
			p.add(key, "%q is not a path into the service's items (dotted names such as warehouse.code)", path)
			return
		}
		for _, u := range uses {
			if u.path == path || strings.HasPrefix(u.path, path+".") || strings.HasPrefix(path, u.path+".") {
				p.add(key, "%q overlaps %q (%s)", path, u.path, u.key)
			}
		}
		uses = append(uses, use{key, path})
	}
	a.keyPath = t.Key
	check("key", t.Key)
	if a.localePath = t.Locale.Column; a.localePath != "" {
		check("locale.column", a.localePath)
	}
	if a.modePath = t.Mode.Column; a.modePath != "" {
		check("mode.column", a.modePath)
	}
	a.locales = invert(t.Locale.Values)
	a.modes = map[apos.Mode]string{apos.Draft: "draft", apos.Published: "published"}
	for backend, api := range t.Mode.Values {
		a.modes[apos.Mode(api)] = backend
	}
	a.byPath = map[string]string{}
	for i, f := range a.schema.Fields {
		path := t.Fields[i].Column
		check(fmt.Sprintf("fields[%d].column", i), path)
		a.fields = append(a.fields, field{name: f.Name, kind: f.Kind, path: path, readOnly: f.ReadOnly, label: `"` + f.Name + `":`})
		a.byPath[path] = f.Name
		if !f.ReadOnly {
			a.writableNames = append(a.writableNames, f.Name)
		}
	}
	if a.writableNames == nil {
		a.writableNames = []string{}
	}
}

// invert turns a map of backend values to API values around.
func invert(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for backend, api := range m {
		out[api] = backend
	}
	return out
}

// mapRoutes compiles the operations' templates and checks that each
// addresses what it must: the key, the locale and the mode.
func (a *Adapter) mapRoutes(t *config.Type, p *problems) {
	s := t.Service
	var scope []placeholder
	if a.schema.Localized {
		scope = append(scope, phLocale)
	}
	if a.columns {
		scope = append(scope, phMode)
	}
	withKey := append([]placeholder{phKey}, scope...)
	ops := []struct {
		key      string
		op       config.ServiceOperation
		method   string
		allowed  []placeholder
		dst      *route
		optional bool
	}{
		{"list", s.List, http.MethodGet, scope, &a.list, false},
		{"get", s.Get, http.MethodGet, withKey, &a.get, false},
		{"create", s.Create, http.MethodPost, scope, &a.create, t.ReadOnly},
		{"replace", s.Replace, http.MethodPut, withKey, &a.replace, t.ReadOnly},
		{"delete", s.Delete, http.MethodDelete, withKey, &a.remove, t.ReadOnly},
	}
	for _, o := range ops {
		key := "service." + o.key
		if o.op.Path == "" {
			if !o.optional {
				p.add(key+".path", "missing")
			}
			continue
		}
		r, err := compileRoute(method(o.op.Method, o.method), o.op.Path, o.allowed...)
		if err != nil {
			p.add(key+".path", "%v", err)
			continue
		}
		if o.op.Method != "" && !validMethod(o.op.Method) {
			p.add(key+".method", "must be GET, POST, PUT, PATCH or DELETE")
		}
		*o.dst = r
	}
	// The locale and mode must reach the service: in the path of every
	// operation, or for create in the body.
	a.allLocales = a.localePath != "" || a.list.uses(phLocale) || a.get.uses(phLocale)
	for _, o := range ops {
		r := o.dst
		if r.parts == nil {
			continue
		}
		key := "service." + o.key + ".path"
		if slices.Contains(o.allowed, phKey) && !r.uses(phKey) {
			p.add(key, "must use {key}")
		}
		if a.schema.Localized && a.allLocales && !r.uses(phLocale) && (o.key != "create" || a.localePath == "") {
			p.add(key, "must use {locale}")
		}
		if a.columns && !r.uses(phMode) && (o.key != "create" || a.modePath == "") {
			p.add(key, "must use {mode}")
		}
	}
	if s.Publish.Path != "" {
		allowed := []placeholder{phKey}
		if a.schema.Localized {
			allowed = append(allowed, phLocale)
		}
		r, err := compileRoute(method(s.Publish.Method, http.MethodPost), s.Publish.Path, allowed...)
		switch {
		case err != nil:
			p.add("service.publish.path", "%v", err)
		case !r.uses(phKey):
			p.add("service.publish.path", "must use {key}")
		case a.allLocales && !r.uses(phLocale):
			p.add("service.publish.path", "must use {locale}")
		default:
			a.publish = &r
		}
	}
}

func method(m, def string) string {
	if m == "" {
		return def
	}
	return strings.ToUpper(m)
}

func validMethod(m string) bool {
	switch strings.ToUpper(m) {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// mapList checks how lists page, search and filter.
func (a *Adapter) mapList(t *config.Type, p *problems) {
	pg := t.Service.Paging
	offset := pg.Offset != "" || pg.Limit != ""
	page := pg.Page != "" || pg.Size != ""
	switch {
	case offset == page:
		p.add("service.paging", "set either offset and limit, or page and size")
	case offset && (pg.Offset == "" || pg.Limit == ""):
		p.add("service.paging", "offset and limit go together")
	case page && (pg.Page == "" || pg.Size == ""):
		p.add("service.paging", "page and size go together")
	}
	if pg.Max < 0 {
		p.add("service.paging.max", "must not be negative")
	}
	a.filters = t.Service.Filters
	for name, param := range a.filters {
		if a.schema.Field(name) == nil {
			p.add("service.filters."+name, "no such field")
		}
		if param == "" {
			p.add("service.filters."+name, "names no query parameter")
		}
	}
	switch {
	case a.concurrency == 0:
		a.concurrency = defaultConcurrency
	case a.concurrency < 0:
		p.add("service.concurrency", "must be at least 1")
	}
}

// mapAnswers checks where answers put things and how errors translate.
func (a *Adapter) mapAnswers(s *config.Service, p *problems) {
	for _, r := range []struct{ key, path string }{{"items", a.items}, {"total", a.total}, {"item", a.item}} {
		if r.path == "" {
			p.add("service.response."+r.key, "missing (a gjson path such as data.%s, or @this)", r.key)
		}
	}
	a.errs = newErrorMap(s.Errors, p)
}
