package proxy

import (
	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/valyala/fasthttp"
)

// routeDocExtras registers the per-document routes beside the workflow's:
// GET :_id/locale/:toLocale on every type, and POST :_id/share on types
// whose backend keeps share grants.
func (s *Server) routeDocExtras(d *docType) {
	one := s.cfg.Server.Prefix + "/" + d.name + "/{id}/"
	s.router.GET(one+"locale/{toLocale}", s.handle(d, s.docInLocale))
	s.router.HEAD(one+"locale/{toLocale}", s.handle(d, s.docInLocale))
	if _, ok := d.backend.(adapters.Sharer); ok && d.hasDrafts() {
		s.router.POST(one+"share", s.handle(d, s.share))
	}
}

// docInLocale serves GET :_id/locale/:toLocale (docs/api-rules.md#71).
// Apostrophe redirects to the document's page in that locale; documents
// here have no pages, so the answer is a 302 to the document in toLocale
// (same aposDocId and mode) in this API, with its _id as the body. A
// toLocale that is not a locale the caller may see is 400 invalid; a
// document that does not exist there, or an unlocalized type, is 404.
func (s *Server) docInLocale(c *call, d *docType) error {
	docID, scope, err := s.target(c, d)
	if err != nil {
		return err
	}
	to, _ := c.ctx.UserValue("toLocale").(string)
	if !s.locales.has(to) || !s.locales.visible(to, c.who) {
		return apos.Errorf(apos.ErrInvalid, "invalid locale name")
	}
	if !d.localized() {
		return apos.ErrNotFound
	}
	sc := apos.Scope{Locale: to, Mode: scope.Mode}
	rec, err := d.backend.Get(c.bctx, sc, docID)
	if err != nil {
		return err
	}
	id := apos.AppendID(nil, docID, sc)
	body := appendString([]byte(`{"_id":`), string(id))
	location := s.cfg.Server.Prefix + "/" + d.name + "/" + string(id)
	if d.page {
		// A page has a URL: Apostrophe's redirect to it in toLocale
		// (docs/api-rules.md#151).
		location = s.urlOf(to, fieldString(rec.Fields, config.TreeSlugField))
		body = appendString(append(body, `,"_url":`...), location)
	}
	c.ctx.Response.Header.Set(fasthttp.HeaderLocation, location)
	writeJSON(c.ctx, fasthttp.StatusFound, append(body, '}'))
	return nil
}
