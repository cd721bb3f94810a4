package upstream

import (
	"fmt"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// build prepares everything calls need, so that requests only fill in
// values. t comes from config.Load, which checked its mapping
// (config/validate_upstream.go) and set its defaults.
func build(c *Client, t *config.Type, opts Options) (*Adapter, error) {
	s := t.Service
	if s == nil {
		return nil, fmt.Errorf("types.%s.service: missing: the type does not come from config.Load", t.Name)
	}
	a := &Adapter{
		c:             c,
		schema:        t.Schema(),
		defaultLocale: opts.DefaultLocale,
		columns:       t.Storage == string(apos.Columns),
		allLocales:    t.ServesAllLocales(),
		list:          newRoute(s.List),
		get:           newRoute(s.Get),
		create:        newRoute(s.Create),
		replace:       newRoute(s.Replace),
		remove:        newRoute(s.Delete),
		paging:        s.Paging,
		sort:          s.Sort,
		search:        s.Search,
		filters:       newFilters(s.Filters),
		items:         s.Response.Items,
		total:         s.Response.Total,
		totalHeader:   s.Response.TotalHeader,
		item:          s.Response.Item,
		errs:          newErrorMap(&s.Errors),
		concurrency:   s.Concurrency,
	}
	if a.schema.Localized && opts.DefaultLocale == "" {
		return nil, fmt.Errorf("types.%s.locale: the default locale is unknown (Options.DefaultLocale)", t.Name)
	}
	a.publish, a.unpublish = optionalRoute(s.Publish), optionalRoute(s.Unpublish)
	a.mapItem(t)
	return a, nil
}

// mapItem prepares the paths into service items: the key, the locale and
// mode fields, and every API field.
func (a *Adapter) mapItem(t *config.Type) {
	a.keyPath = t.Key
	a.groupPath = t.Service.Group
	a.localePath = t.Locale.Column
	a.modePath = t.Mode.Column
	a.locales = invert(t.Locale.Values)
	a.modes = map[apos.Mode]string{apos.Draft: string(apos.Draft), apos.Published: string(apos.Published)}
	for backend, api := range t.Mode.Values {
		a.modes[apos.Mode(api)] = backend
	}
	a.idSlot, a.localeSlot, a.modeSlot = a.paths.add(a.idPath()), -1, -1
	if a.schema.Localized && a.localePath != "" {
		a.localeSlot = a.paths.add(a.localePath)
	}
	if a.columns && a.modePath != "" {
		a.modeSlot = a.paths.add(a.modePath)
	}
	a.byPath = map[string]string{}
	a.writableNames = []string{}
	for i, f := range a.schema.Fields {
		path := t.Fields[i].Column
		a.fields = append(a.fields, field{name: f.Name, kind: f.Kind, path: path, readOnly: f.ReadOnly, label: `"` + f.Name + `":`,
			slot: a.paths.add(path)})
		a.byPath[path] = f.Name
		if !f.ReadOnly {
			a.writableNames = append(a.writableNames, f.Name)
		}
	}
	if sort := t.Service.Sort; sort != nil {
		a.sortPaths = map[string]string{}
		for _, name := range sort.Fields {
			if f := a.field(name); f != nil {
				a.sortPaths[name] = f.path
			}
		}
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
