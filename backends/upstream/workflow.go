package upstream

import (
	"context"
	"errors"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

var _ adapters.Workflow = (*Adapter)(nil)

// The workflow over a service does what the service's own routes allow:
// publishing is its publish operation (the inventory's promote), and
// unpublishing deletes the published variant. A service keeps no previous
// copy, submission or localization date, and the adapter has nowhere of
// its own to keep them, so the operations that need them answer 501.

// unsupported is the answer to a workflow operation the service cannot do.
func (a *Adapter) unsupported(what string) error {
	return apos.Errorf(apos.ErrUnimplemented, "%s documents are served by a legacy service that cannot %s.", a.schema.Type, what)
}

// Unpublish deletes the published variant of docID in locale and returns
// the draft, with lastPublishedAt null. ErrNotFound when nothing is
// published. It needs the service's delete route; the draft must exist.
func (a *Adapter) Unpublish(ctx context.Context, locale, docID string) (*adapters.Record, error) {
	if a.remove.parts == nil || !a.columns {
		return nil, a.unsupported("unpublish")
	}
	key, ok := apos.DecodeKey(docID)
	draft := apos.Scope{Locale: locale, Mode: apos.Draft}
	if !ok || !a.served(draft) {
		return nil, apos.ErrNotFound
	}
	if _, err := a.fetch(ctx, apos.Scope{Locale: locale, Mode: apos.Published}, key); err != nil {
		return nil, err
	}
	// The draft is read first: a published variant without a draft is not
	// deleted, since its content would be lost.
	if _, err := a.fetch(ctx, draft, key); err != nil {
		if errors.Is(err, apos.ErrNotFound) {
			return nil, apos.Errorf(apos.ErrConflict, "The document has no draft to keep its content; it cannot be unpublished.")
		}
		return nil, err
	}
	if err := a.deleteOne(ctx, apos.Scope{Locale: locale, Mode: apos.Published}, key); err != nil {
		return nil, err
	}
	rec, err := a.Get(ctx, draft, docID)
	if err != nil {
		return nil, err
	}
	rec.Extra = []byte(`"lastPublishedAt":null`)
	return rec, nil
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
	key, ok := apos.DecodeKey(docID)
	if !ok {
		return nil, nil
	}
	var out []apos.Scope
	for _, locale := range locales {
		for _, m := range []apos.Mode{apos.Published, apos.Draft} {
			s := apos.Scope{Locale: locale, Mode: m}
			if !a.served(s) {
				continue
			}
			_, err := a.fetch(ctx, s, key)
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
