package proxy

import (
	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// appendSlug appends Apostrophe's slug of title (apos.AppendSlug): the
// slug of a type whose backend keeps none, derived from its title on
// every read (docs/api-rules.md#25).
func appendSlug(dst []byte, title string) []byte { return apos.AppendSlug(dst, title) }

// filters reports whether the list parameter name filters the type: a
// field, or the slug (docs/api-rules.md#23).
func (d *docType) filters(name string) bool {
	return d.fields[name] != nil || name == apos.SlugField && (d.slugs || d.slugFromTitle)
}

// slugFilter is the filter of ?slug=: the documents whose slug is exactly
// the value's slug, as Apostrophe slugifies the value it is given, or the
// value itself (a mapped legacy column may hold slugs that are not
// Apostrophe's, such as "/about"). An empty value does not filter. A slug
// derived from titles cannot be searched for.
func (d *docType) slugFilter(vals []string) (adapters.Filter, bool, error) {
	flt := adapters.Filter{Field: apos.SlugField, Op: adapters.OpEqual}
	if vals[0] == "" {
		return flt, false, nil
	}
	if d.slugFromTitle {
		return flt, false, errDerivedSlug(d, "filtered")
	}
	slug := apos.Slugify(vals[0])
	flt.Values = []any{slug}
	if slug != vals[0] {
		flt.Op, flt.Values = adapters.OpIn, []any{slug, vals[0]}
	}
	return flt, true, nil
}

// errDerivedSlug refuses to filter or sort by the slug of a type whose
// slugs the proxy derives from titles on every read: its backend has none
// to search.
func errDerivedSlug(d *docType, verb string) error {
	return apos.Errorf(apos.ErrInvalid,
		"%s cannot be %s by slug: its slugs are made from titles as documents are read, and its backend keeps none.", d.name, verb)
}

// withSlug adds to a write's values the slug the body sets, when the
// backend keeps slugs, and slugifies a slug field's value as Apostrophe
// does (docs/api-rules.md#25). The body's top-level "slug" counts, and
// that of each of its _patches, the last one winning.
func (d *docType) withSlug(body gjson.Result, vals []adapters.Value) ([]adapters.Value, error) {
	if d.page {
		return vals, nil // a page's slug keeps its slashes (pages_write.go)
	}
	for i := range vals {
		if s, ok := vals[i].V.(string); ok && vals[i].Field == apos.SlugField {
			vals[i].V = apos.Slugify(s)
		}
	}
	if !d.slugs {
		return vals, nil
	}
	slug := body.Get(apos.SlugField)
	for _, p := range body.Get("_patches").Array() {
		if s := p.Get(apos.SlugField); s.Exists() {
			slug = s
		}
	}
	switch slug.Type {
	case gjson.String:
		return append(vals, adapters.Value{Field: apos.SlugField, V: apos.Slugify(slug.Str)}), nil
	case gjson.Null:
		return vals, nil
	}
	return nil, &apos.ValidationError{Fields: []apos.FieldError{{Path: apos.SlugField, Name: "invalid"}}}
}
