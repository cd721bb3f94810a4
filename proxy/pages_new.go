package proxy

import (
	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"github.com/valyala/fasthttp"
)

// The special keys of a page POST (docs/api-rules.md#150).

// newPageInstance answers POST P with _newInstance: a new child's
// defaults at p (title "New Page", the parent's slug + "/new-page", the
// parent's visibility), the body over them, and _previewable; nothing is
// stored.
func (s *Server) newPageInstance(c *call, d *docType, scope apos.Scope, body gjson.Result, p *adapters.Placement) error {
	parent := p.Target
	if p.Position == adapters.Before || p.Position == adapters.After {
		lineage, err := treeOf(d).Lineage(c.bctx, scope, p.Target)
		if err != nil {
			return err
		}
		if len(lineage) < 2 {
			return apos.Invalid("_position", "invalid", "invalid")
		}
		parent = lineage[len(lineage)-2].DocID
	}
	rec, err := d.backend.Get(c.bctx, scope, parent)
	if err != nil {
		return err
	}
	slug := fieldString(rec.Fields, config.TreeSlugField)
	if slug == "/" {
		slug = ""
	}
	visibility := fieldString(rec.Fields, "visibility")
	if visibility == "" {
		visibility = "public"
	}
	out := []byte(`{"title":"New Page","visibility":"public","orphan":false}`)
	out, _ = sjson.SetBytes(out, "slug", slug+"/new-page")
	out, _ = sjson.SetBytes(out, "visibility", visibility)
	body.ForEach(func(k, v gjson.Result) bool {
		if name := k.String(); name != "" && name[0] != '_' {
			out, _ = sjson.SetRawBytes(out, escapePath(name), []byte(v.Raw))
		}
		return true
	})
	out, _ = sjson.SetBytes(out, "_previewable", true)
	writeJSON(c.ctx, fasthttp.StatusOK, out)
	return nil
}

// copyingBody is the body of a POST with _copyingId: the copied page's
// fields (not its place, rank or slug) with the body's over them. The
// page is read in the request's scope (404 when it is not there).
func (s *Server) copyingBody(c *call, d *docType, scope apos.Scope, body gjson.Result) (gjson.Result, error) {
	id, ok := apos.ParseID(body.Get("_copyingId").String())
	if !ok {
		return body, apos.ErrNotFound
	}
	rec, err := d.backend.Get(c.bctx, scope, id.DocID)
	if err != nil {
		return body, err
	}
	out := append([]byte(nil), rec.Fields...)
	for _, drop := range []string{config.TreeParentField, config.TreeRankField, config.TreeSlugField} {
		out, _ = sjson.DeleteBytes(out, drop)
	}
	body.ForEach(func(k, v gjson.Result) bool {
		out, _ = sjson.SetRawBytes(out, escapePath(k.String()), []byte(v.Raw))
		return true
	})
	return gjson.ParseBytes(out), nil
}

// escapePath makes a member name a literal sjson path.
func escapePath(name string) string {
	var b []byte
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '.', '*', '?', '|', '#', '@', '\\', ':', '!', '=', '<', '>', '%':
			b = append(b, '\\')
		}
		b = append(b, name[i])
	}
	return string(b)
}
