package adapters

import (
	"context"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// Workflow is an optional capability: Apostrophe's draft and publish
// workflow on the documents of a localized type (docs/api-rules.md#34 to
// #39). Every method works on one document in one locale and is atomic: it
// completes, or it leaves every record as it was. The records it returns
// carry the workflow's members in Record.Extra (lastPublishedAt,
// submitted, localizedAt).
//
// A backend that can do only some of it answers the rest with
// ErrUnimplemented.
type Workflow interface {
	// Publish copies the draft's fields over the published record, creating
	// it on first publication; the replaced published record is kept as the
	// previous copy. It sets lastPublishedAt on both records, removes the
	// submission, and returns the draft (modified false). ErrNotFound when
	// the locale has no draft; ErrConflict when the backend changed the
	// published record behind the proxy's back and opts.Force is false.
	Publish(ctx context.Context, locale, docID string, opts PublishOptions) (*Record, error)
	// Unpublish deletes the published record and the previous copy, and
	// returns the draft, with lastPublishedAt null and modified true. A
	// document published without a draft gets one first, so that its
	// content survives. ErrNotFound when nothing is published.
	Unpublish(ctx context.Context, locale, docID string) (*Record, error)
	// RevertDraftToPublished gives the draft the published record's
	// fields and returns it. It returns nil, nil when there is nothing to
	// revert: the draft is not modified, or was never published.
	// ErrNotFound without a draft.
	RevertDraftToPublished(ctx context.Context, locale, docID string) (*Record, error)
	// RevertPublishedToPrevious restores the published record from the
	// previous copy, which is used up, and returns the published record.
	// ErrNotFound when nothing is published; ErrInvalid without a previous
	// copy.
	RevertPublishedToPrevious(ctx context.Context, locale, docID string) (*Record, error)
	// Localize copies the draft of locale from into the draft of locale to
	// (creating it, or replacing its fields when update is true), marks it
	// localizedAt, and returns it. ErrNotFound without a source draft;
	// ErrConflict when the target draft exists and update is false.
	Localize(ctx context.Context, docID, from, to string, update bool) (*Record, error)
	// Submit records sub on the draft, replacing any earlier submission.
	// ErrNotFound without a draft.
	Submit(ctx context.Context, locale, docID string, sub Submission) error
	// DismissSubmission removes the draft's submission, if any.
	// ErrNotFound without a draft.
	DismissSubmission(ctx context.Context, locale, docID string) error
	// Locales lists the locales and modes in which the document has a
	// record, in no particular order. An empty list means the document
	// does not exist. locales are the configured locales, for a backend
	// that must ask for each.
	Locales(ctx context.Context, docID string, locales []string) ([]apos.Scope, error)
}

// PublishOptions are the choices of one publication.
type PublishOptions struct {
	// Force publishes even when the published record changed behind the
	// proxy's back since the draft was made (see the overlay storage).
	Force bool
}

// Submission is a contributor's request to publish a draft, shown on it as
// Apostrophe's "submitted": {"by","byId","at"}.
type Submission struct {
	By   string // the submitter's title
	ByID string // the submitter's user id; empty for API keys
	At   time.Time
}
