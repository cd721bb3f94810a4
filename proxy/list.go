package proxy

import (
	"strconv"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// getList serves GET /api/v1/<type>: {"pages","currentPage","results"},
// with choices and counts when asked, or {"count"} with count=1.
func (s *Server) getList(c *call, d *docType) error {
	lr, err := d.parseList(c.ctx.QueryArgs())
	if err != nil {
		return err
	}
	if lr.q.Scope, err = s.listScope(c, d, lr.idScope); err != nil {
		return err
	}
	page, err := d.backend.List(c.bctx, &lr.q)
	if err == nil {
		err = s.annotateAttachments(c.bctx, d, page.Records)
	}
	if err != nil {
		return err
	}
	buf := bufPool.get()
	defer bufPool.put(buf)
	b := buf.b[:0]
	if lr.q.CountOnly {
		b = append(b, `{"count":`...)
		b = strconv.AppendInt(b, int64(page.Total), 10)
		buf.b = append(b, '}')
		sendCacheable(c.ctx, buf.b)
		return nil
	}
	var published map[string]*adapters.Record
	if lr.withPublished && lr.q.Scope.Mode == apos.Draft && d.hasDrafts() {
		if published, err = s.publishedOf(c, d, page.Records, lr.q.Scope.Locale); err != nil {
			return err
		}
	}
	rel, err := s.loadRelated(c, d, page.Records, true, lr.project)
	if err != nil {
		return err
	}
	pubRel, err := s.publishedRelated(c, d, published, lr.project)
	if err != nil {
		return err
	}
	b = d.appendResults(b, c, lr, page, rel, published, pubRel)
	if len(lr.choices) > 0 {
		if b, err = s.appendChoices(c, d, lr, b); err != nil {
			return err
		}
	}
	buf.b = append(b, '}')
	sendCacheable(c.ctx, buf.b)
	return nil
}

// appendResults appends the list's "pages", "currentPage" and "results",
// each document with its relationships and, for withPublished, its
// published copy.
func (d *docType) appendResults(b []byte, c *call, lr *listRequest, page *adapters.Page, rel *related, published map[string]*adapters.Record, pubRel *related) []byte {
	pages := 0
	if page.Total > 0 {
		pages = (page.Total + lr.q.PerPage - 1) / lr.q.PerPage
	}
	b = append(b, `{"pages":`...)
	b = strconv.AppendInt(b, int64(pages), 10)
	b = append(b, `,"currentPage":`...)
	b = strconv.AppendInt(b, int64(lr.q.Page), 10)
	b = append(b, `,"results":[`...)
	for i := range page.Records {
		if i > 0 {
			b = append(b, ',')
		}
		r := &page.Records[i]
		b = rel.appendTo(d.appendDoc(b, r, c.who, lr.project), r.DocID, c.who)
		if pub, ok := published[r.DocID]; ok {
			b = append(b[:len(b)-1], `,"_publishedDoc":`...)
			b = pubRel.appendTo(d.appendDoc(b, pub, c.who, lr.project), pub.DocID, c.who)
			b = append(b, '}')
		}
	}
	return append(b, ']')
}

// publishedOf loads the published records of a page of drafts, for
// withPublished, in one list call.
func (s *Server) publishedOf(c *call, d *docType, drafts []adapters.Record, locale string) (map[string]*adapters.Record, error) {
	if len(drafts) == 0 {
		return nil, nil
	}
	q := adapters.Query{Scope: apos.Scope{Locale: locale, Mode: apos.Published}, Page: 1, PerPage: len(drafts)}
	for _, r := range drafts {
		q.IDs = append(q.IDs, r.DocID)
	}
	page, err := d.backend.List(c.bctx, &q)
	if err == nil {
		err = s.annotateAttachments(c.bctx, d, page.Records)
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]*adapters.Record, len(page.Records))
	for i := range page.Records {
		out[page.Records[i].DocID] = &page.Records[i]
	}
	return out, nil
}

// appendChoices adds "choices" (or "counts") for the requested fields.
// Names that are not filterable fields are dropped silently, as in
// Apostrophe.
func (s *Server) appendChoices(c *call, d *docType, lr *listRequest, b []byte) ([]byte, error) {
	dist, ok := d.backend.(adapters.Distincter)
	if !ok {
		return b, nil
	}
	key := `,"choices":{`
	if lr.counts {
		key = `,"counts":{`
	}
	b = append(b, key...)
	n := 0
	seen := map[string]bool{}
	for _, name := range lr.choices {
		f := d.fields[name]
		if f == nil || f.Kind == apos.JSON || f.Kind == apos.Attachment || f.WriteOnly() || seen[name] {
			continue
		}
		seen[name] = true
		vals, err := dist.Distinct(c.bctx, &lr.q, name)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendString(b, name)
		b = append(b, ":["...)
		for i, v := range vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"value":`...)
			b = appendValue(b, v.Value)
			b = append(b, `,"label":`...)
			b = appendString(b, choiceLabel(f, v.Value))
			if lr.counts {
				b = append(b, `,"count":`...)
				b = strconv.AppendInt(b, int64(v.Count), 10)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// publishedRelated loads the relationships of the published copies of a
// list's drafts (withPublished), in the published mode, batched as the
// list's own (docs/api-rules.md#178).
func (s *Server) publishedRelated(c *call, d *docType, published map[string]*adapters.Record, p *projection) (*related, error) {
	if len(published) == 0 {
		return nil, nil
	}
	recs := make([]adapters.Record, 0, len(published))
	for _, r := range published {
		recs = append(recs, *r)
	}
	return s.loadRelated(c, d, recs, true, p)
}
