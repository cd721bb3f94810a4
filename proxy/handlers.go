package proxy

import (
	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// target resolves the :_id of a single-document route into the aposDocId
// and the scope to read or write (docs/api-rules.md#1, #4 to #6).
func (s *Server) target(c *call, d *docType) (string, apos.Scope, error) {
	raw, _ := c.ctx.UserValue("id").(string)
	return s.resolveID(d, raw, c.params, c.who)
}

// listScope is the scope of a list or a create: parameters, else the first
// _ids entry's locale and mode, else the defaults.
func (s *Server) listScope(c *call, d *docType, fromIDs apos.DocID) (apos.Scope, error) {
	if !d.localized() {
		return apos.Scope{Mode: apos.Published}, nil
	}
	scope, err := s.scopeFor(c.params, fromIDs, c.who)
	if err == apos.ErrNotFound {
		// An _ids entry in an unknown locale or mode matches nothing.
		return scope, nil
	}
	return scope, err
}

// getOne serves GET /:_id, or a shared draft to whoever has its key.
func (s *Server) getOne(c *call, d *docType) error {
	if c.ctx.QueryArgs().Has(shareKeyArg) {
		return s.getShared(c, d)
	}
	docID, scope, err := s.target(c, d)
	if err != nil {
		return err
	}
	rec, err := d.backend.Get(c.bctx, scope, docID)
	if err != nil {
		return err
	}
	recs := []adapters.Record{*rec}
	if err := s.annotateAttachments(c.bctx, d, recs); err != nil {
		return err
	}
	rec = &recs[0]
	var p *projection
	if c.ctx.QueryArgs().Len() > 0 {
		lr, err := d.parseList(c.ctx.QueryArgs())
		if err != nil {
			return err
		}
		p = lr.project
	}
	rel, err := s.loadRelated(c, d, []adapters.Record{*rec}, false, p)
	if err != nil {
		return err
	}
	buf := bufPool.get()
	defer bufPool.put(buf)
	buf.b = rel.appendTo(d.appendDoc(buf.b[:0], rec, c.who, p), rec.DocID, c.who)
	sendCacheable(c.ctx, buf.b)
	return nil
}

// post serves POST: create in the request's mode (docs/api-rules.md#27).
func (s *Server) post(c *call, d *docType) error {
	scope, err := s.listScope(c, d, apos.DocID{})
	if err != nil {
		return err
	}
	if d.singleton {
		return apos.ErrForbidden // its one document per locale exists already
	}
	body, err := writeBody(c, d, scope.Mode)
	if err != nil {
		return err
	}
	vals, err := d.convert(body, writeInsert, nil, c.stamp())
	if err == nil {
		vals, err = d.withSlug(body, vals)
	}
	var rel []adapters.Value
	if err == nil {
		rel, err = s.relValues(c, d, body, scope)
	}
	if err != nil {
		return err
	}
	vals = withRelValues(vals, rel)
	if err := s.resolveAttachments(c.bctx, d, vals); err != nil {
		return err
	}
	vals, held := d.splitHeld(vals)
	in := &adapters.Insert{Values: vals}
	if cid := body.Get("_createId"); cid.Exists() {
		id, ok := apos.ParseID(cid.String())
		if cid.Type != gjson.String || !ok || id.Locale != "" {
			return apos.Invalid("_createId", "invalid", "Not an aposDocId.")
		}
		in.DocID = id.DocID
	}
	rec, err := d.backend.Insert(c.bctx, scope, in)
	if err == nil {
		err = s.saveHeld(c.bctx, d, rec.DocID, held, rec.Scope, apos.Scope{Locale: rec.Scope.Locale, Mode: apos.Draft})
	}
	if err != nil {
		return err
	}
	s.trackDoc(c.bctx, d, rec.DocID, rec.Scope.Locale)
	return s.sendWritten(c, d, rec)
}

// put serves PUT: replace the fields of the record of the _id's mode.
func (s *Server) put(c *call, d *docType) error {
	return s.update(c, d, func(body gjson.Result, cur *adapters.Record) ([]adapters.Value, error) {
		vals, err := d.convert(body, writeReplace, nil, c.stamp())
		if err != nil {
			return nil, err
		}
		return d.withSlug(body, vals)
	})
}

// patch serves PATCH: apply the patch operators to the current record.
func (s *Server) patch(c *call, d *docType) error {
	return s.update(c, d, func(body gjson.Result, cur *adapters.Record) ([]adapters.Value, error) {
		doc, touched, err := d.applyPatch(c.bctx, newPatchLimits(s.cfg.Server.MaxBodyBytes), cur.Fields, body)
		var vals []adapters.Value
		if err == nil && len(touched) > 0 { // an empty patch writes nothing
			vals, err = d.convert(gjson.ParseBytes(doc), writePatch, touched, c.stamp())
		}
		if err != nil {
			return nil, err
		}
		return d.withSlug(body, vals)
	})
}

// update runs PUT and PATCH: permission, body, then the adapter's atomic
// read-check-write with If-Match (docs/api-rules.md#28, #44).
func (s *Server) update(c *call, d *docType, values func(gjson.Result, *adapters.Record) ([]adapters.Value, error)) error {
	docID, scope, err := s.target(c, d)
	if err != nil {
		return err
	}
	body, err := writeBody(c, d, scope.Mode)
	if err != nil {
		return err
	}
	if d.page {
		return s.updatePage(c, d, docID, scope, body, values)
	}
	rel, err := s.relValues(c, d, body, scope)
	if err != nil {
		return err
	}
	var held []byte // saved once the backend has committed (docs/api-rules.md#199)
	rec, err := d.backend.Update(c.bctx, scope, docID, func(cur *adapters.Record) ([]adapters.Value, error) {
		if err := s.checkIfMatch(c, d, cur); err != nil {
			return nil, err
		}
		vals, err := values(body, cur)
		if err == nil {
			err = s.resolveAttachments(c.bctx, d, vals)
		}
		if err == nil {
			vals, held = d.splitHeld(vals)
		}
		if err != nil || len(rel) == 0 {
			return vals, err
		}
		return withRelValues(vals, rel), nil
	})
	if err == nil {
		err = s.saveHeld(c.bctx, d, docID, held, scope)
	}
	if err != nil {
		return err
	}
	s.trackDoc(c.bctx, d, docID, scope.Locale)
	return s.sendWritten(c, d, rec)
}

// delete serves DELETE: 200 with an empty body (docs/api-rules.md#33).
func (s *Server) delete(c *call, d *docType) error {
	docID, scope, err := s.target(c, d)
	if err != nil {
		return err
	}
	if !d.canDelete(c.who) {
		return apos.ErrForbidden
	}
	err = d.backend.Delete(c.bctx, scope, docID, func(cur *adapters.Record) error {
		return s.checkIfMatch(c, d, cur)
	})
	if err == nil {
		err = s.deletedHeld(c.bctx, d, docID, scope)
	}
	if err != nil {
		return err
	}
	s.trackDoc(c.bctx, d, docID, scope.Locale)
	c.ctx.SetStatusCode(fasthttp.StatusOK)
	return nil
}

// writeBody checks that the caller may write in mode m, then reads the
// body: a caller without the right gets 403 whatever it sent.
func writeBody(c *call, d *docType, m apos.Mode) (gjson.Result, error) {
	if !d.canWrite(c.who, m) {
		return gjson.Result{}, apos.ErrForbidden
	}
	return endpoint.JSONBody(c.ctx)
}

// checkIfMatch refuses a write whose If-Match does not name the current
// representation: 412, and nothing is written.
func (s *Server) checkIfMatch(c *call, d *docType, cur *adapters.Record) error {
	im := c.ctx.Request.Header.Peek(fasthttp.HeaderIfMatch)
	if len(im) == 0 {
		return nil
	}
	recs := []adapters.Record{*cur}
	if err := s.annotateAttachments(c.bctx, d, recs); err != nil {
		return err
	}
	cur = &recs[0]
	rel, err := s.loadRelated(c, d, recs, false, nil)
	if err != nil {
		return err
	}
	e := etagOf(rel.appendTo(d.appendDoc(nil, cur, c.who, nil), cur.DocID, c.who))
	if !e.matches(im, false) {
		return apos.ErrPrecondition
	}
	return nil
}

// sendWritten answers a write with the stored document and its ETag.
func (s *Server) sendWritten(c *call, d *docType, rec *adapters.Record) error {
	recs := []adapters.Record{*rec}
	if err := s.annotateAttachments(c.bctx, d, recs); err != nil {
		return err
	}
	rec = &recs[0]
	rel, err := s.loadRelated(c, d, recs, false, nil)
	if err != nil {
		return err
	}
	body := rel.appendTo(d.appendDoc(nil, rec, c.who, nil), rec.DocID, c.who)
	e := etagOf(body)
	c.ctx.Response.Header.SetBytesV(fasthttp.HeaderETag, e[:])
	writeJSON(c.ctx, fasthttp.StatusOK, body)
	return nil
}
