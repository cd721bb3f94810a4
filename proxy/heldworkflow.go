package proxy

import (
	"context"
	"errors"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// workflowOf is d's Workflow; for a type with attachment fields, one
// that also copies the held fields as the backend copies the others and
// keeps the attachments' docIds (docs/api-rules.md#199, #201).
func (s *Server) workflowOf(d *docType) adapters.Workflow {
	wf := d.backend.(adapters.Workflow)
	if len(d.attachments) == 0 || s.attachments == nil {
		return wf
	}
	return &attachmentWorkflow{Workflow: wf, s: s, d: d}
}

// attachmentWorkflow runs each operation on the backend, then on the
// held fields (after the backend has committed, as writes do), then
// brings docIds up to date.
type attachmentWorkflow struct {
	adapters.Workflow
	s *Server
	d *docType
}

func (w *attachmentWorkflow) scopes(locale string) (draft, published, previous apos.Scope) {
	return apos.Scope{Locale: locale, Mode: apos.Draft}, apos.Scope{Locale: locale, Mode: apos.Published},
		apos.Scope{Locale: locale, Mode: previousMode}
}

// after copies the held fields along the copies (from, to pairs) once
// op has succeeded with a record, and tracks docIds in the locales.
func (w *attachmentWorkflow) after(ctx context.Context, rec *adapters.Record, err error, docID string, locales []string, copies ...apos.Scope) (*adapters.Record, error) {
	if err != nil || rec == nil {
		return rec, err
	}
	if len(w.d.held) > 0 {
		for i := 0; i+1 < len(copies); i += 2 {
			if err := w.s.attachments.CopyFields(ctx, w.d.name, docID, copies[i], copies[i+1]); err != nil {
				return nil, err
			}
		}
	}
	for _, l := range locales {
		w.s.trackDoc(ctx, w.d, docID, l)
	}
	return rec, nil
}

func (w *attachmentWorkflow) Publish(ctx context.Context, locale, docID string, opts adapters.PublishOptions) (*adapters.Record, error) {
	rec, err := w.Workflow.Publish(ctx, locale, docID, opts)
	draft, pub, prev := w.scopes(locale)
	return w.after(ctx, rec, err, docID, []string{locale}, pub, prev, draft, pub)
}

func (w *attachmentWorkflow) Unpublish(ctx context.Context, locale, docID string) (*adapters.Record, error) {
	rec, err := w.Workflow.Unpublish(ctx, locale, docID)
	if err == nil && len(w.d.held) > 0 {
		_, pub, _ := w.scopes(locale)
		err = w.s.attachments.DeleteFields(ctx, w.d.name, docID, pub)
	}
	return w.after(ctx, rec, err, docID, []string{locale})
}

func (w *attachmentWorkflow) RevertDraftToPublished(ctx context.Context, locale, docID string) (*adapters.Record, error) {
	rec, err := w.Workflow.RevertDraftToPublished(ctx, locale, docID)
	draft, pub, _ := w.scopes(locale)
	if err == nil && rec == nil && len(w.d.held) > 0 {
		// The backend's fields were the published ones already; the
		// held ones may differ, and are reverted all the same.
		rec, err = w.heldRevert(ctx, docID, draft, pub)
	}
	return w.after(ctx, rec, err, docID, []string{locale}, pub, draft)
}

func (w *attachmentWorkflow) RevertPublishedToPrevious(ctx context.Context, locale, docID string) (*adapters.Record, error) {
	rec, err := w.Workflow.RevertPublishedToPrevious(ctx, locale, docID)
	_, pub, prev := w.scopes(locale)
	return w.after(ctx, rec, err, docID, []string{locale}, prev, pub)
}

func (w *attachmentWorkflow) Localize(ctx context.Context, docID, from, to string, update bool) (*adapters.Record, error) {
	rec, err := w.Workflow.Localize(ctx, docID, from, to, update)
	fromDraft, _, _ := w.scopes(from)
	toDraft, _, _ := w.scopes(to)
	return w.after(ctx, rec, err, docID, []string{to}, fromDraft, toDraft)
}

// heldRevert is the draft to answer when only its held fields differ
// from the published document's; nil when they do not.
func (w *attachmentWorkflow) heldRevert(ctx context.Context, docID string, draft, pub apos.Scope) (*adapters.Record, error) {
	d, err := w.s.attachments.LoadFields(ctx, w.d.name, draft, []string{docID})
	if err != nil {
		return nil, err
	}
	p, err := w.s.attachments.LoadFields(ctx, w.d.name, pub, []string{docID})
	if err != nil || !w.d.heldDiffer(d[docID], p[docID]) {
		return nil, err
	}
	if _, err := w.d.backend.Get(ctx, pub, docID); err != nil {
		if errors.Is(err, apos.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return w.d.backend.Get(ctx, draft, docID)
}
