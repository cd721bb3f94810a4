package proxy

import (
	"strings"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// bodyPlacement reads a write's _targetId and _position; nil when a
// PUT or PATCH names neither (no move). For PATCH with _patches, the last
// patch's move wins (docs/api-rules.md#144).
func (s *Server) bodyPlacement(c *call, d *docType, scope apos.Scope, body gjson.Result, create bool) (*adapters.Placement, error) {
	target, pos := body.Get("_targetId"), body.Get("_position")
	if ps := body.Get("_patches"); ps.IsArray() {
		for _, p := range ps.Array() {
			if p.Get("_targetId").Exists() {
				target, pos = p.Get("_targetId"), p.Get("_position")
			}
		}
	}
	if !create && !target.Exists() && !pos.Exists() {
		return nil, nil
	}
	if pos.Exists() && pos.Type != gjson.String && pos.Type != gjson.Number {
		return nil, apos.Invalid("_position", "invalid", "A position is before, after, firstChild, lastChild or an index.")
	}
	p, err := placementOf("", pos.Str, pos.Type == gjson.Number, pos.Num)
	if err != nil {
		return nil, err
	}
	switch id := target.String(); {
	case !target.Exists() || id == homeID:
		p.Target, err = s.homeOf(c, d, scope)
	case target.Type != gjson.String:
		err = apos.Invalid("_targetId", "invalid", "Name a page.")
	case id == archiveID && create:
		err = apos.Invalid("_targetId", "invalid", "Pages are not created in the archive.")
	case id == archiveID:
		p.Target = adapters.ArchiveID
	default:
		pid, ok := apos.ParseID(id)
		if !ok {
			return nil, apos.Errorf(apos.ErrNotFound, "The target page was not found.")
		}
		p.Target = pid.DocID
		if create && p.Target == adapters.ArchiveID {
			err = apos.Invalid("_targetId", "invalid", "Pages are not created in the archive.")
		}
	}
	return p, err
}

// postPage serves POST P: a page of the body's type, placed at
// _targetId/_position (docs/api-rules.md#143).
func (s *Server) postPage(c *call, d *docType) error {
	scope, err := s.listScope(c, d, apos.DocID{})
	if err != nil {
		return err
	}
	body, err := writeBody(c, d, scope.Mode)
	if err != nil {
		return err
	}
	if body.Get("_copyingId").Exists() {
		if body, err = s.copyingBody(c, d, scope, body); err != nil {
			return err
		}
	}
	if err := d.pageTypeOf(body.Get("type").String()); err != nil {
		return err
	}
	p, err := s.bodyPlacement(c, d, scope, body, true)
	if err != nil {
		return err
	}
	if launderBool(body.Get("_newInstance").String()) {
		return s.newPageInstance(c, d, scope, body, p)
	}
	vals, err := d.convert(body, writeInsert, nil, c.stamp())
	if err != nil {
		return err
	}
	in := &adapters.Insert{Values: d.pageSlug(body, vals)}
	rec, err := treeOf(d).InsertAt(c.bctx, scope, *p, in)
	if err != nil {
		return err
	}
	return s.sendPageWritten(c, d, rec, nil)
}

// pageSlug makes the slug of a page: the body's, cleaned (a leading /,
// runs of / collapsed, no trailing /), or /<the title's slug>.
func (d *docType) pageSlug(body gjson.Result, vals []adapters.Value) []adapters.Value {
	raw := body.Get("slug").String()
	if raw == "" {
		raw = "/" + string(appendSlug(nil, body.Get("title").String()))
	}
	slug := cleanPageSlug(raw)
	for i := range vals {
		if vals[i].Field == config.TreeSlugField {
			vals[i].V = slug
			return vals
		}
	}
	return append(vals, adapters.Value{Field: config.TreeSlugField, V: slug})
}

// cleanPageSlug applies the page slug rules: a leading /, runs of /
// collapsed, no trailing /, each segment a slug.
func cleanPageSlug(s string) string {
	var segs []string
	for _, seg := range strings.Split(s, "/") {
		if seg = apos.Slugify(seg); seg != "" {
			segs = append(segs, seg)
		}
	}
	return "/" + strings.Join(segs, "/")
}

// updatePage runs PUT and PATCH on a page: the field change, then the
// move the body asks for, in one transaction; PATCH answers __changed.
func (s *Server) updatePage(c *call, d *docType, docID string, scope apos.Scope, body gjson.Result, values func(gjson.Result, *adapters.Record) ([]adapters.Value, error)) error {
	if t := body.Get("type"); t.Exists() {
		if err := d.pageTypeOf(t.String()); err != nil {
			return err
		}
	}
	p, err := s.bodyPlacement(c, d, scope, body, false)
	if err != nil {
		return err
	}
	if docID == adapters.ArchiveID {
		if p != nil {
			return apos.Errorf(apos.ErrInvalid, "Cannot move the archive")
		}
		return apos.Errorf(apos.ErrForbidden, "The archive page cannot be changed.")
	}
	rec, moved, err := treeOf(d).MoveTo(c.bctx, scope, docID, p, func(cur *adapters.Record) ([]adapters.Value, error) {
		if err := s.checkIfMatch(c, d, cur); err != nil {
			return nil, err
		}
		vals, err := values(body, cur)
		if err != nil {
			return nil, err
		}
		for i := range vals {
			if vals[i].Field == config.TreeSlugField {
				if str, ok := vals[i].V.(string); ok {
					vals[i].V = cleanPageSlug(str)
				}
			}
		}
		return vals, nil
	})
	if err != nil {
		return err
	}
	if p == nil {
		moved = nil
	}
	return s.sendPageWritten(c, d, rec, moved)
}

// sendPageWritten answers a page write: the page with its ancestors, and
// __changed after a move.
func (s *Server) sendPageWritten(c *call, d *docType, rec *adapters.Record, moved []adapters.Moved) error {
	t := treeOf(d)
	lineage, err := t.Lineage(c.bctx, rec.Scope, rec.DocID)
	if err != nil {
		return err
	}
	pi := &pageInfo{level: len(lineage) - 1, archived: lineage[len(lineage)-1].Archived, ancestors: [][]byte{}}
	ids := make([]string, 0, len(lineage))
	for i, n := range lineage {
		if i > 0 {
			pi.path += "/"
		}
		pi.path += n.DocID
		ids = append(ids, n.DocID)
	}
	byID, err := s.pageRecords(c, d, rec.Scope, ids[:len(ids)-1], nil)
	if err != nil {
		return err
	}
	path := ""
	for i, n := range lineage[:len(lineage)-1] {
		if i > 0 {
			path += "/"
		}
		path += n.DocID
		if r := byID[n.DocID]; r != nil && !n.Archived {
			pi.ancestors = append(pi.ancestors, s.appendPage(nil, d, r, c.who, nil, &pageInfo{path: path, level: i}))
		}
	}
	body := s.appendPage(nil, d, rec, c.who, nil, pi)
	if moved != nil {
		body = appendChanged(body[:len(body)-1], moved, rec.Scope)
		body = append(body, '}')
	}
	e := etagOf(body)
	c.ctx.Response.Header.SetBytesV(fasthttp.HeaderETag, e[:])
	writeJSON(c.ctx, fasthttp.StatusOK, body)
	return nil
}

// appendChanged renders __changed: the pages a move changed.
func appendChanged(dst []byte, moved []adapters.Moved, scope apos.Scope) []byte {
	dst = append(dst, `,"__changed":[`...)
	for i, m := range moved {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"_id":"`...)
		dst = apos.AppendID(dst, m.DocID, scope)
		dst = append(dst, `","rank":`...)
		dst = appendValue(dst, m.Rank)
		if m.Archived {
			dst = append(dst, `,"archived":true`...)
		}
		if m.Slug != nil {
			dst = append(dst, `,"slug":`...)
			dst = appendString(dst, string(m.Slug))
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// deletePage serves DELETE P/:_id with the page refusals
// (docs/api-rules.md#146): the home page and the archive here, a page
// with children in the delete's transaction (the backend's).
func (s *Server) deletePage(c *call, d *docType) error {
	docID, scope, err := s.target(c, d)
	if err != nil {
		return err
	}
	if !d.canDelete(c.who) {
		return apos.ErrForbidden
	}
	if docID == adapters.ArchiveID || docID == archiveID {
		return apos.Errorf(apos.ErrInvalid, "This page is \"parked\" and may not be removed.")
	}
	lineage, err := treeOf(d).Lineage(c.bctx, scope, docID)
	if err != nil {
		return err
	}
	if len(lineage) == 1 && lineage[0].Parent == "" {
		return apos.Errorf(apos.ErrInvalid, "The home page may not be removed.")
	}
	return s.delete(c, d)
}

// checkParentPublished refuses to publish a page whose parent has no
// published copy in locale (docs/api-rules.md#147).
func (s *Server) checkParentPublished(c *call, d *docType, locale, docID string) error {
	draft, err := d.backend.Get(c.bctx, apos.Scope{Locale: locale, Mode: apos.Draft}, docID)
	if err != nil {
		return err
	}
	parent := fieldString(draft.Fields, config.TreeParentField)
	if parent == "" {
		return nil
	}
	_, err = d.backend.Get(c.bctx, apos.Scope{Locale: locale, Mode: apos.Published}, apos.EncodeKey(parent))
	if err == apos.ErrNotFound {
		return apos.Errorf(apos.ErrForbidden, "Publish the parent page first.")
	}
	return err
}
