package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// routeBatch registers the batch routes (docs/api-rules.md#41) of a type
// that routeWorkflow routes, below base: POST /<type>/publish, archive,
// restore and localize, with {_ids:[...]}, answering {jobId} at once.
func (s *Server) routeBatch(d *docType, base string) {
	for _, name := range []string{"publish", "archive", "restore", "localize"} {
		s.router.POST(base+name, s.handle(d, func(c *call, d *docType) error { return s.batch(c, d, name) }))
	}
}

// routeJobs registers GET /@apostrophecms/job/:id: a job's document with
// its percentage, for callers with view-draft (and the job's owner, when it
// has one); 404 for anyone else, as Apostrophe answers.
func (s *Server) routeJobs() error {
	return s.AddRoute(endpoint.Route{
		Method: fasthttp.MethodGet,
		Path:   s.cfg.Server.Prefix + "/@apostrophecms/job/{id}",
		Handler: func(r *endpoint.Request) ([]byte, error) {
			if s.runner == nil || !r.Who.CanViewDraft() {
				return nil, apos.ErrNotFound
			}
			return s.runner.Get(r.Context, r.Param("id"), r.Who.ID)
		},
	})
}

// batchOp is a batch's operation on one document, by aposDocId in a
// locale; a non-nil record is answered as the item's {_id}.
type batchOp func(ctx context.Context, locale, docID string) (*adapters.Record, error)

// batch starts the job of one batch route, refusing more _ids than
// jobs.max_ids (400) and a job past the runner's caps (429).
func (s *Server) batch(c *call, d *docType, name string) error {
	if err := s.batchAllowed(c, d, name); err != nil {
		return err
	}
	body, err := endpoint.JSONBody(c.ctx)
	if err != nil {
		return err
	}
	items, err := stringList(body, "_ids")
	if err != nil {
		return err
	}
	if n := s.cfg.Jobs.MaxIDs; n > 0 && len(items) > n {
		return apos.Invalid("_ids", "max", "Send at most "+strconv.Itoa(n)+" ids in one batch.")
	}
	scope, err := s.listScope(c, d, apos.DocID{})
	if err != nil {
		return err
	}
	one, err := s.batchOpOf(d, name, body)
	if err != nil {
		return err
	}
	id, err := s.runner.Start(c.bctx, c.who.ID, items, batchItem(scope.Locale, one))
	if err != nil {
		return err
	}
	writeJSON(c.ctx, fasthttp.StatusOK, append(appendString([]byte(`{"jobId":`), id), '}'))
	return nil
}

// batchAllowed checks the caller's role for the batch (restoring needs
// draft writes, the others publishing) and that there is a job store.
func (s *Server) batchAllowed(c *call, d *docType, name string) error {
	allowed := d.canPublish(c.who)
	if name == "restore" {
		allowed = d.canWrite(c.who, apos.Draft)
	}
	if !allowed {
		return apos.ErrForbidden
	}
	if s.runner == nil {
		return apos.Errorf(apos.ErrUnimplemented, "Batch operations need a job store.")
	}
	return nil
}

// batchOpOf returns the operation of the batch route name. Archiving and
// restoring set the type's archived field on each draft (a type that maps
// none fails every item, saying so); archiving also unpublishes, as in
// Apostrophe.
func (s *Server) batchOpOf(d *docType, name string, body gjson.Result) (batchOp, error) {
	wf := s.workflowOf(d)
	switch name {
	case "publish":
		return func(ctx context.Context, locale, docID string) (*adapters.Record, error) {
			return wf.Publish(ctx, locale, docID, adapters.PublishOptions{})
		}, nil
	case "archive", "restore":
		if d.page {
			return func(ctx context.Context, locale, docID string) (*adapters.Record, error) {
				return nil, archivePage(ctx, d, locale, docID, name == "archive")
			}, nil
		}
		return func(ctx context.Context, locale, docID string) (*adapters.Record, error) {
			err := archive(ctx, d, wf, locale, docID, name == "archive")
			s.trackDoc(ctx, d, docID, locale)
			return nil, err
		}, nil
	}
	return s.localizeAll(body, wf)
}

// batchItem is the job's work on one item: a full _id, whose locale (or
// else the request's) the operation runs in.
func batchItem(locale string, one batchOp) func(context.Context, string) (json.RawMessage, error) {
	return func(ctx context.Context, item string) (json.RawMessage, error) {
		target, ok := apos.ParseID(item)
		if !ok {
			return nil, apos.ErrNotFound
		}
		in := locale
		if target.Locale != "" {
			in = target.Locale
		}
		rec, err := one(ctx, in, target.DocID)
		if err != nil || rec == nil {
			return nil, err
		}
		b := appendString([]byte(`{"_id":`), string(apos.AppendID(nil, rec.DocID, rec.Scope)))
		return append(b, '}'), nil
	}
}

// localizeAll reads the localize batch's {toLocales, update} and returns
// the operation on one document: a draft in every other target locale.
func (s *Server) localizeAll(body gjson.Result, wf adapters.Workflow) (batchOp, error) {
	to, err := stringList(body, "toLocales")
	if err != nil {
		return nil, err
	}
	for _, l := range to {
		if !s.locales.has(l) {
			return nil, apos.Invalid("toLocales", "invalid", "Name configured locales.")
		}
	}
	update := body.Get("update").Bool()
	return func(ctx context.Context, locale, docID string) (*adapters.Record, error) {
		for _, l := range to {
			if l == locale {
				continue
			}
			if _, err := wf.Localize(ctx, docID, locale, l, update); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, nil
}

// archive sets the archived field of the draft of docID in locale, and
// unpublishes the document when archiving it.
func archive(ctx context.Context, d *docType, wf adapters.Workflow, locale, docID string, archived bool) error {
	if f := d.fields["archived"]; f == nil || f.Kind != apos.Boolean {
		return apos.Errorf(apos.ErrInvalid, "Documents of type %s cannot be archived: it maps no boolean archived field.", d.name)
	}
	_, err := d.backend.Update(ctx, apos.Scope{Locale: locale, Mode: apos.Draft}, docID,
		func(*adapters.Record) ([]adapters.Value, error) {
			return []adapters.Value{{Field: "archived", V: archived}}, nil
		})
	if err != nil || !archived {
		return err
	}
	if _, err := wf.Unpublish(ctx, locale, docID); !errors.Is(err, apos.ErrNotFound) {
		return err
	}
	return nil
}

// stringList reads the body member name as a non-empty array of strings;
// anything else is 400 invalid, as Apostrophe answers.
func stringList(body gjson.Result, name string) ([]string, error) {
	v := body.Get(gjson.Escape(name))
	bad := apos.Invalid(name, "invalid", "Send an array of strings.")
	if !v.IsArray() {
		return nil, bad
	}
	var out []string
	for _, e := range v.Array() {
		if e.Type != gjson.String {
			return nil, bad
		}
		out = append(out, e.Str)
	}
	if len(out) == 0 {
		return nil, bad
	}
	return out, nil
}
