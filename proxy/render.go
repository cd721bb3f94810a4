package proxy

import (
	"unsafe"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// projection is a parsed project[field]=1|0 parameter. A nil *projection
// keeps every field.
type projection struct {
	include bool // true: keep only fields; false: drop fields
	fields  map[string]bool
}

// keeps reports whether field is rendered.
func (p *projection) keeps(field string) bool {
	if p == nil {
		return true
	}
	return p.fields[field] == p.include
}

// appendDoc renders r as Apostrophe's document JSON for who: identity
// fields, the type, the mapped fields, the slug, visibility and archived,
// what can be derived (modified) and the permission annotations (only
// when true, and only for authenticated callers).
func (d *docType) appendDoc(dst []byte, r *adapters.Record, who *apos.Principal, p *projection) []byte {
	if p == nil {
		p = d.hide
	}
	dst = append(dst, `{"_id":`...)
	dst = append(dst, '"')
	dst = apos.AppendID(dst, r.DocID, r.Scope) // ids use [A-Za-z0-9_:-] only
	dst = append(dst, `","aposDocId":"`...)
	dst = append(dst, r.DocID...)
	dst = append(dst, '"')
	if r.Scope.Locale != "" {
		dst = append(dst, `,"aposLocale":"`...)
		dst = append(dst, r.Scope.Locale...)
		dst = append(dst, ':')
		dst = append(dst, r.Scope.Mode...)
		dst = append(dst, `","aposMode":"`...)
		dst = append(dst, r.Scope.Mode...)
		dst = append(dst, '"')
	}
	dst = append(dst, ',')
	dst = append(dst, d.typeJSON...)
	dst = d.appendFields(dst, r.Fields, p)
	dst = d.appendSlugMember(dst, r, p)
	dst = d.appendDefaults(dst, p)
	if r.Scope.Mode == apos.Draft && p.keeps("modified") {
		switch {
		case !d.hasDrafts():
			dst = append(dst, `,"modified":false`...)
		case r.Modified == adapters.True:
			dst = append(dst, `,"modified":true`...)
		case r.Modified == adapters.False:
			dst = append(dst, `,"modified":false`...)
		}
	}
	if len(r.Extra) > 0 {
		if p == nil {
			dst = append(append(dst, ','), r.Extra...)
		} else {
			dst = d.appendFields(dst, append(append([]byte{'{'}, r.Extra...), '}'), p)
		}
	}
	if who.Authenticated() {
		dst = d.appendAnnotations(dst, r.Scope.Mode, who)
	}
	return append(dst, '}')
}

// appendFields copies the members of the fields object, filtered by p.
func (d *docType) appendFields(dst, fields []byte, p *projection) []byte {
	if len(fields) < 2 {
		return dst
	}
	if p == nil {
		inner := fields[1 : len(fields)-1]
		if len(inner) > 0 {
			dst = append(dst, ',')
			dst = append(dst, inner...)
		}
		return dst
	}
	gjson.ParseBytes(fields).ForEach(func(k, v gjson.Result) bool {
		if p.keeps(k.Str) {
			dst = append(dst, ',')
			dst = append(dst, k.Raw...)
			dst = append(dst, ':')
			dst = append(dst, v.Raw...)
		}
		return true
	})
	return dst
}

// appendSlugMember adds the slug: the backend's, or the title's for a
// type whose backend keeps none. A mapped slug field is among the fields.
func (d *docType) appendSlugMember(dst []byte, r *adapters.Record, p *projection) []byte {
	switch {
	case !p.keeps(apos.SlugField):
	case r.Slug != nil:
		dst = append(dst, `,"slug":`...)
		dst = appendString(dst, bytesView(r.Slug))
	case d.slugFromTitle:
		if t := gjson.Get(bytesView(r.Fields), "title"); t.Type == gjson.String {
			dst = append(dst, `,"slug":"`...)
			n := len(dst)
			if dst = appendSlug(dst, t.Str); len(dst) == n {
				// A title that gives no slug ("?"): the key's
				// (docs/api-rules.md#129).
				key, _ := apos.DecodeKey(r.DocID)
				dst = appendSlug(dst, key)
			}
			dst = append(dst, '"')
		}
	}
	return dst
}

// appendDefaults adds visibility and archived when the type maps no field
// of that name, as Apostrophe's documents always have them.
func (d *docType) appendDefaults(dst []byte, p *projection) []byte {
	if p == nil {
		return append(dst, d.defaults...)
	}
	if d.fields["visibility"] == nil && p.keeps("visibility") {
		dst = append(dst, `,"visibility":"public"`...)
	}
	if d.fields["archived"] == nil && p.keeps("archived") {
		dst = append(dst, `,"archived":false`...)
	}
	return dst
}

// appendAnnotations adds _create, _edit, _publish and _delete when true.
func (d *docType) appendAnnotations(dst []byte, m apos.Mode, who *apos.Principal) []byte {
	if d.canWrite(who, m) {
		dst = append(dst, `,"_create":true,"_edit":true`...)
	}
	if d.canPublish(who) {
		dst = append(dst, `,"_publish":true`...)
	}
	if d.canDelete(who) {
		dst = append(dst, `,"_delete":true`...)
	}
	return dst
}

// bytesView reads b as a string without copying it. The string is only
// used while b is neither changed nor released (here: to derive the slug
// while rendering), which spares GetBytes's defensive copy on every
// document.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
