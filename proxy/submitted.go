package proxy

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// submittedType is the name of Apostrophe's list of drafts awaiting
// review, across types.
const submittedType = "@apostrophecms/submitted-draft"

// submittedDoc is one submitted draft and the type it belongs to.
type submittedDoc struct {
	d   *docType
	sub adapters.Submitted
}

// routeSubmitted registers GET /api/v1/@apostrophecms/submitted-draft
// (docs/api-rules.md#69): callers without view-draft find no such API
// (404), as for a type they may not use.
func (s *Server) routeSubmitted() {
	h := s.pipeline(apos.Contributor, apos.ErrNotFound, s.submittedDrafts)
	s.router.GET(s.cfg.Server.Prefix+"/"+submittedType, h)
	s.router.HEAD(s.cfg.Server.Prefix+"/"+submittedType, h)
}

// submittedDrafts answers the list of submitted drafts of the request's
// locale, newest submission first, as {"pages","currentPage","results"}
// (or {"count"} with count=1), each document rendered as its own type
// renders it. Like Apostrophe, it lists drafts only, so a published-mode
// request finds none; editors (publish permission) see every submission,
// contributors their own. _type=<type> keeps one type.
func (s *Server) submittedDrafts(c *call) error {
	scope, err := s.scopeFor(c.params, apos.DocID{}, c.who)
	if err != nil {
		return err
	}
	args := c.ctx.QueryArgs()
	page := launderInt(string(args.Peek("page")), 1, 1)
	perPage := min(launderInt(string(args.Peek("perPage")), 50, 1), 1000)
	all, err := s.submissions(c, scope, string(args.Peek("_type")))
	if err != nil {
		return err
	}
	if launderBool(string(args.Peek("count"))) {
		sendCacheable(c.ctx, append(appendInt([]byte(`{"count":`), int64(len(all))), '}'))
		return nil
	}
	b := []byte(`{"pages":`)
	b = appendInt(b, int64((len(all)+perPage-1)/perPage))
	b = append(b, `,"currentPage":`...)
	b = strconv.AppendInt(b, int64(page), 10)
	b = append(b, `,"results":[`...)
	n := 0
	for i := (page - 1) * perPage; i >= 0 && i < len(all) && i < page*perPage; i++ {
		one := all[i]
		rec, err := one.d.backend.Get(c.bctx, apos.Scope{Locale: scope.Locale, Mode: apos.Draft}, one.sub.DocID)
		if err != nil {
			continue // deleted since it was listed
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = one.d.appendDoc(b, rec, c.who, nil)
	}
	sendCacheable(c.ctx, append(b, "]}"...))
	return nil
}

// submissions gathers the submitted drafts of scope that who may see,
// from every type with drafts whose backend lists them, sorted.
func (s *Server) submissions(c *call, scope apos.Scope, only string) ([]submittedDoc, error) {
	if scope.Mode != apos.Draft {
		return nil, nil
	}
	reviewer := c.who.Role >= apos.Editor // Apostrophe's publish permission
	var all []submittedDoc
	for _, name := range typeNames(s.cfg) {
		d := s.types[name]
		lister, ok := d.backend.(adapters.SubmissionLister)
		if !ok || !d.hasDrafts() || c.who.Role < d.viewRole || only != "" && only != name {
			continue
		}
		subs, err := lister.Submitted(c.bctx, scope.Locale)
		if err != nil {
			return nil, err
		}
		for _, sub := range subs {
			if reviewer || sub.ByID == c.who.ID {
				all = append(all, submittedDoc{d: d, sub: sub})
			}
		}
	}
	slices.SortStableFunc(all, func(x, y submittedDoc) int {
		if c := y.sub.At.Compare(x.sub.At); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.d.name, y.d.name), cmp.Compare(x.sub.DocID, y.sub.DocID))
	})
	return all, nil
}
