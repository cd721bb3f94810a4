package upstream

import (
	"context"
	"errors"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

var _ adapters.Workflow = (*Adapter)(nil)

// The workflow over a service does what the service's own routes allow:
// publishing is its publish route (the inventory's promote), or, when
// variants are records of their own, a copy of the draft over the
// published record; unpublishing is its unpublish route, or deleting the
// published variant. A service keeps no previous copy, submission or
// localization date, and the adapter has nowhere of its own to keep them,
// so the operations that need them answer 501.

// unsupported is the answer to a workflow operation the service cannot do.
func (a *Adapter) unsupported(what string) error {
	return apos.Errorf(apos.ErrUnimplemented, "%s documents are served by a legacy service that cannot %s.", a.schema.Type, what)
}

// Publish makes the draft of docID in locale the published variant and
// returns the draft, as Apostrophe's publish route does: through the
// service's publish route, or by copying the draft's fields over the
// published record (creating it on first publication) when variants are
// records of their own. The options do not change it.
func (a *Adapter) Publish(ctx context.Context, locale, docID string, _ adapters.PublishOptions) (*adapters.Record, error) {
	if a.publish == nil && (a.groupPath == "" || a.create.parts == nil || a.replace.parts == nil) {
		return nil, apos.Errorf(apos.ErrUnimplemented, "%s cannot be published through its service", a.schema.Type)
	}
	draftScope := apos.Scope{Locale: locale, Mode: apos.Draft}
	draft, err := a.fetch(ctx, draftScope, docID)
	if err != nil {
		return nil, err
	}
	if err := a.publishDraft(ctx, locale, docID, draft); err != nil {
		return nil, err
	}
	return a.Get(ctx, draftScope, docID)
}

// publishDraft publishes draft, the draft item of docID in locale: with
// the service's publish route, or by copying it over the published record.
func (a *Adapter) publishDraft(ctx context.Context, locale, docID string, draft gjson.Result) error {
	if a.publish != nil {
		key, _ := apos.DecodeKey(docID)
		return a.callRoute(ctx, a.publish, "publish", apos.Scope{Locale: locale, Mode: apos.Draft}, draft, key)
	}
	return a.copyToPublished(ctx, locale, docID, draft)
}

// callRoute calls a workflow route (publish, unpublish) on item, the
// variant of scope s of the document key, with the route's body.
func (a *Adapter) callRoute(ctx context.Context, r *route, op string, s apos.Scope, item gjson.Result, key string) error {
	v := a.vars(s)
	v.key, v.group = a.rowKey(item, key), key
	_, err := a.call(ctx, r, op, &v, r.appendBody(&v))
	return err
}

// copyToPublished writes the draft's fields over the published record of
// docID in locale, or creates it.
func (a *Adapter) copyToPublished(ctx context.Context, locale, docID string, draft gjson.Result) error {
	pubScope := apos.Scope{Locale: locale, Mode: apos.Published}
	values := make([]adapters.Value, 0, len(a.writableNames))
	for _, name := range a.writableNames {
		raw := draft.Get(a.field(name).path).Raw
		if raw == "" {
			raw = "null"
		}
		values = append(values, adapters.Value{Field: name, V: adapters.RawJSON(raw)})
	}
	pub, err := a.fetch(ctx, pubScope, docID)
	switch {
	case err == nil:
		_, err = a.replaceItem(ctx, pubScope, docID, pub, values)
	case errors.Is(err, apos.ErrNotFound):
		key, _ := apos.DecodeKey(docID)
		_, err = a.createOne(ctx, pubScope, key, values)
	}
	return err
}

// Unpublish removes the published variant of docID in locale, with the
// service's unpublish route or its delete route, and returns the draft,
// with lastPublishedAt null. ErrNotFound when nothing is published; the
// draft must exist, to keep the content.
func (a *Adapter) Unpublish(ctx context.Context, locale, docID string) (*adapters.Record, error) {
	if !a.columns || a.unpublish == nil && a.remove.parts == nil {
		return nil, a.unsupported("unpublish")
	}
	pubScope, draftScope := apos.Scope{Locale: locale, Mode: apos.Published}, apos.Scope{Locale: locale, Mode: apos.Draft}
	pub, err := a.fetch(ctx, pubScope, docID)
	if err != nil {
		return nil, err
	}
	// The draft is read first: a published variant without a draft is not
	// removed, since its content would be lost.
	if _, err := a.fetch(ctx, draftScope, docID); err != nil {
		if errors.Is(err, apos.ErrNotFound) {
			return nil, apos.Errorf(apos.ErrConflict, "The document has no draft to keep its content; it cannot be unpublished.")
		}
		return nil, err
	}
	if err := a.removePublished(ctx, pubScope, pub, docID); err != nil {
		return nil, err
	}
	rec, err := a.Get(ctx, draftScope, docID)
	if err != nil {
		return nil, err
	}
	rec.Extra = []byte(`"lastPublishedAt":null`)
	return rec, nil
}

// removePublished removes pub, the published item of docID in scope s:
// with the service's unpublish route, or its delete route.
func (a *Adapter) removePublished(ctx context.Context, s apos.Scope, pub gjson.Result, docID string) error {
	key, _ := apos.DecodeKey(docID)
	if a.unpublish != nil {
		return a.callRoute(ctx, a.unpublish, "unpublish", s, pub, key)
	}
	return a.deleteOne(ctx, s, pub, key)
}

// RevertDraftToPublished answers 501: the service has no revert.
func (a *Adapter) RevertDraftToPublished(context.Context, string, string) (*adapters.Record, error) {
	return nil, a.unsupported("revert a draft")
}

// RevertPublishedToPrevious answers 501: the service keeps no previous copy.
func (a *Adapter) RevertPublishedToPrevious(context.Context, string, string) (*adapters.Record, error) {
	return nil, a.unsupported("undo a publication")
}

// Localize answers 501: the service has no localize operation.
func (a *Adapter) Localize(context.Context, string, string, string, bool) (*adapters.Record, error) {
	return nil, a.unsupported("localize")
}

// Submit answers 501: the service has no place for a submission.
func (a *Adapter) Submit(context.Context, string, string, adapters.Submission) error {
	return a.unsupported("record a submission")
}

// DismissSubmission answers 501, as Submit does.
func (a *Adapter) DismissSubmission(context.Context, string, string) error {
	return a.unsupported("record a submission")
}

// Locales reads the document's variant in every locale and mode the type
// serves, one call each.
func (a *Adapter) Locales(ctx context.Context, docID string, locales []string) ([]apos.Scope, error) {
	if _, ok := apos.DecodeKey(docID); !ok {
		return nil, nil
	}
	var out []apos.Scope
	for _, locale := range locales {
		for _, m := range []apos.Mode{apos.Published, apos.Draft} {
			s := apos.Scope{Locale: locale, Mode: m}
			if !a.served(s) {
				continue
			}
			_, err := a.fetch(ctx, s, docID)
			switch {
			case err == nil:
				out = append(out, s)
			case !errors.Is(err, apos.ErrNotFound):
				return nil, err
			}
		}
	}
	return out, nil
}
