package proxy

import (
	"context"
	"slices"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// routeWorkflow registers the per-document workflow routes
// (docs/api-rules.md#34) and the batch routes (docs/api-rules.md#41) for a
// type with drafts whose backend has the Workflow capability. Their static
// last segment keeps them apart from /{id}.
func (s *Server) routeWorkflow(d *docType) {
	if _, ok := d.backend.(adapters.Workflow); !ok || !d.hasDrafts() {
		return
	}
	base := s.cfg.Server.Prefix + "/" + d.name + "/"
	for name, h := range map[string]func(*call, *docType) error{
		"publish":                      s.recordRoute(s.publishOp(d)),
		"unpublish":                    notForSingletons(s.recordRoute(withoutBody(adapters.Workflow.Unpublish))),
		"revert-draft-to-published":    s.recordRoute(withoutBody(adapters.Workflow.RevertDraftToPublished)),
		"revert-published-to-previous": s.recordRoute(withoutBody(adapters.Workflow.RevertPublishedToPrevious)),
		"localize":                     s.recordRoute(s.localize),
		"submit":                       s.submit,
		"dismiss-submission":           s.dismissSubmission,
	} {
		s.router.POST(base+"{id}/"+name, s.handle(d, h))
	}
	s.router.GET(base+"{id}/locales", s.handle(d, s.docLocales))
	s.router.HEAD(base+"{id}/locales", s.handle(d, s.docLocales))
	s.routeBatch(d, base)
}

// workflowTarget resolves the route's document for a workflow operation
// that needs role: its aposDocId and locale (the mode of the _id does not
// matter: each operation looks up the record it works on), and the
// backend's Workflow.
func (s *Server) workflowTarget(c *call, d *docType, allowed bool) (adapters.Workflow, string, string, error) {
	docID, scope, err := s.target(c, d)
	if err != nil {
		return nil, "", "", err
	}
	if !allowed {
		return nil, "", "", apos.ErrForbidden
	}
	return s.workflowOf(d), docID, scope.Locale, nil
}

// workflowOp is a workflow operation on the route's document, by its
// aposDocId in a locale, that answers a record.
type workflowOp func(c *call, wf adapters.Workflow, locale, docID string) (*adapters.Record, error)

// recordRoute serves a route that needs the publish role and answers the
// record op returns, or false when it returns none (there was nothing to
// revert, as Apostrophe answers).
func (s *Server) recordRoute(op workflowOp) func(*call, *docType) error {
	return func(c *call, d *docType) error {
		wf, docID, locale, err := s.workflowTarget(c, d, d.canPublish(c.who))
		if err != nil {
			return err
		}
		rec, err := op(c, wf, locale, docID)
		switch {
		case err != nil:
			return err
		case rec == nil:
			writeJSON(c.ctx, fasthttp.StatusOK, []byte("false"))
			return nil
		}
		return s.sendWritten(c, d, rec)
	}
}

// withoutBody is the workflowOp of a Workflow method that needs nothing
// but the document: POST :_id/unpublish (the draft, its published copy
// gone), POST :_id/revert-draft-to-published (the reverted draft) and POST
// :_id/revert-published-to-previous (the published document restored
// from its previous copy).
func withoutBody(m func(adapters.Workflow, context.Context, string, string) (*adapters.Record, error)) workflowOp {
	return func(c *call, wf adapters.Workflow, locale, docID string) (*adapters.Record, error) {
		return m(wf, c.bctx, locale, docID)
	}
}

// publish serves POST :_id/publish: the draft, published (docs/api-rules.md#35).
// Body {"force":true} publishes over a legacy row that changed behind the
// proxy's back (overlay types), which is otherwise a 409 conflict.
func publish(c *call, wf adapters.Workflow, locale, docID string) (*adapters.Record, error) {
	body, err := endpoint.JSONBody(c.ctx)
	if err != nil {
		return nil, err
	}
	return wf.Publish(c.bctx, locale, docID, adapters.PublishOptions{Force: body.Get("force").Bool()})
}

// localize serves POST :_id/localize {toLocale, update}: the draft made in
// toLocale. A missing, unknown or current toLocale is 400 invalid.
func (s *Server) localize(c *call, wf adapters.Workflow, locale, docID string) (*adapters.Record, error) {
	body, err := endpoint.JSONBody(c.ctx)
	if err != nil {
		return nil, err
	}
	to := body.Get("toLocale")
	if to.Type != gjson.String || !s.locales.has(to.Str) || to.Str == locale {
		return nil, apos.Invalid("toLocale", "invalid", "Name a configured locale other than the document's.")
	}
	return wf.Localize(c.bctx, docID, locale, to.Str, body.Get("update").Bool())
}

// submit serves POST :_id/submit: a contributor asks for publication. The
// answer is the submission, {"by","byId","at"}, also shown on the draft.
func (s *Server) submit(c *call, d *docType) error {
	wf, docID, locale, err := s.workflowTarget(c, d, d.canWrite(c.who, apos.Draft))
	if err != nil {
		return err
	}
	sub := adapters.Submission{By: c.who.Title, ByID: c.who.ID, At: time.Now().UTC()}
	if err := wf.Submit(c.bctx, locale, docID, sub); err != nil {
		return err
	}
	b := append([]byte(`{"by":`), appendString(nil, sub.By)...)
	b = append(b, `,"byId":`...)
	if sub.ByID == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, sub.ByID)
	}
	b = append(b, `,"at":`...)
	b = appendValue(b, sub.At)
	writeJSON(c.ctx, fasthttp.StatusOK, append(b, '}'))
	return nil
}

// dismissSubmission serves POST :_id/dismiss-submission: an empty 200.
func (s *Server) dismissSubmission(c *call, d *docType) error {
	wf, docID, locale, err := s.workflowTarget(c, d, d.canWrite(c.who, apos.Draft))
	if err != nil {
		return err
	}
	return wf.DismissSubmission(c.bctx, locale, docID)
}

// docLocales serves GET :_id/locales: {"results":[{"_id","aposLocale"}]},
// in the configured locales' order, published records only for callers
// without view-draft, and no private locale for anonymous callers.
func (s *Server) docLocales(c *call, d *docType) error {
	docID, _, err := s.target(c, d)
	if err != nil {
		return err
	}
	scopes, err := d.backend.(adapters.Workflow).Locales(c.bctx, docID, s.locales.order)
	if err != nil {
		return err
	}
	b := []byte(`{"results":[`)
	n := 0
	for _, name := range s.locales.order {
		if !s.locales.visible(name, c.who) {
			continue
		}
		for _, m := range []apos.Mode{apos.Published, apos.Draft} {
			if m == apos.Draft && !c.who.CanViewDraft() || !slices.Contains(scopes, apos.Scope{Locale: name, Mode: m}) {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			sc := apos.Scope{Locale: name, Mode: m}
			b = append(b, `{"_id":"`...)
			b = apos.AppendID(b, docID, sc)
			b = append(b, `","aposLocale":"`...)
			b = append(b, name...)
			b = append(b, ':')
			b = append(b, m...)
			b = append(b, `"}`...)
		}
	}
	sendCacheable(c.ctx, append(b, "]}"...))
	return nil
}
