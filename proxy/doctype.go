package proxy

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// docType is one configured type as the front end serves it: its adapter,
// its schema and the rules the configuration sets on it.
type docType struct {
	name     string
	schema   *apos.Schema
	backend  adapters.Adapter
	fields   map[string]*apos.Field
	readOnly bool

	viewRole, editRole, publishRole apos.Role

	perPage, maxPerPage int
	sort                []adapters.Sort
	// singleton: one document per locale, which clients neither create
	// nor delete (docs/api-rules.md#68).
	singleton bool

	// slugs: the backend keeps each record's slug (apos.Schema.Slugs).
	// slugFromTitle: the schema has a title, no slug, and the backend
	// keeps none, so the proxy derives the slug from the title on every
	// read (docs/api-rules.md#25).
	slugs, slugFromTitle bool
	// defaults is what a document carries when the type maps no field of
	// that name: `,"visibility":"public","archived":false` or part of it
	// (docs/api-rules.md#24).
	defaults []byte
	// typeJSON is `"type":"<name>","metaType":"doc"` pre-rendered.
	typeJSON []byte
	// page: the type is the page tree (pages.go), whose documents carry
	// their page type as a field; hide drops what they never render.
	page bool
	hide *projection
	// rels are the type's relationships (relationships.go).
	rels []relField
	// attachments names the attachment fields (attachments.go), held
	// those the proxy keeps itself (heldfields.go).
	attachments, held []string
	// treeBytes is the size per page of the last ?all=1 rendered, to
	// size the next one's buffer (pages.go, getTree).
	treeBytes atomic.Int64
}

// newDocType prepares t for serving over backend.
func newDocType(t *config.Type, backend adapters.Adapter) (*docType, error) {
	s := backend.Schema()
	d := &docType{
		name:       t.Name,
		schema:     s,
		backend:    backend,
		fields:     make(map[string]*apos.Field, len(s.Fields)),
		readOnly:   t.ReadOnly,
		perPage:    t.PerPage,
		maxPerPage: t.MaxPerPage,
		singleton:  t.IsSingleton(),
	}
	for i := range s.Fields {
		d.fields[s.Fields[i].Name] = &s.Fields[i]
	}
	d.addHeld(t)
	d.attachments = d.attachmentFields()
	var ok bool
	for _, r := range []struct {
		dst  *apos.Role
		name string
		key  string
	}{{&d.viewRole, t.ViewRole, "view_role"}, {&d.editRole, t.EditRole, "edit_role"}, {&d.publishRole, t.PublishRole, "publish_role"}} {
		if *r.dst, ok = apos.ParseRole(r.name); !ok {
			return nil, fmt.Errorf("types.%s.%s: unknown role %q", t.Name, r.key, r.name)
		}
	}
	// Publishing makes a draft live, so it also needs the edit role: a
	// publish_role below edit_role counts as edit_role. (A rule, not a
	// default: config applies the defaults.)
	if d.publishRole < d.editRole {
		d.publishRole = d.editRole
	}
	if t.Sort != "" {
		desc := strings.HasPrefix(t.Sort, "-")
		d.sort = []adapters.Sort{{Field: strings.TrimPrefix(t.Sort, "-"), Desc: desc}}
	}
	d.slugs = s.Slugs && d.fields[apos.SlugField] == nil
	d.slugFromTitle = d.fields["title"] != nil && d.fields[apos.SlugField] == nil && !d.slugs
	if d.fields["visibility"] == nil {
		d.defaults = append(d.defaults, `,"visibility":"public"`...)
	}
	if d.fields["archived"] == nil {
		d.defaults = append(d.defaults, `,"archived":false`...)
	}
	d.typeJSON = appendString(append(d.typeJSON, `"type":`...), t.Name)
	d.typeJSON = append(d.typeJSON, `,"metaType":"doc"`...)
	if t.IsPageTree() {
		d.setPage()
	}
	return d, nil
}

// localized reports whether ids carry a locale and a mode.
func (d *docType) localized() bool { return d.schema.Localized }

// hasDrafts reports whether drafts and published records are distinct.
func (d *docType) hasDrafts() bool {
	return d.schema.Localized && (d.schema.Storage == apos.Columns || d.schema.Storage == apos.Overlay)
}

// writeRole is the role needed to write a record in mode m. A write that
// changes live content (published mode, or a type whose one record is live)
// needs the publish role: contributors write drafts only.
func (d *docType) writeRole(m apos.Mode) apos.Role {
	if d.hasDrafts() && m == apos.Draft {
		return d.editRole
	}
	return d.publishRole
}

// canWrite reports whether who may create or change records in mode m.
func (d *docType) canWrite(who *apos.Principal, m apos.Mode) bool {
	return !d.readOnly && who.Role >= d.writeRole(m)
}

// canDelete reports whether who may delete records of this type. Deleting
// a draft also deletes its published copy (docs/api-rules.md#33) and every other
// record is live, so deleting always needs the publish role.
func (d *docType) canDelete(who *apos.Principal) bool {
	return !d.readOnly && !d.singleton && who.Role >= d.publishRole
}

// canPublish reports whether who may publish documents of this type.
func (d *docType) canPublish(who *apos.Principal) bool {
	return d.hasDrafts() && !d.readOnly && who.Role >= d.publishRole
}
