package adapters

import (
	"context"
	"time"
)

// Sharer is an optional capability of a Workflow backend: a draft's share
// grant, a key that lets anyone who has it read that one draft until it
// expires (Apostrophe's "share draft", docs/api-rules.md#70). The grant
// shows on the draft as the members aposShareKey and aposShareExpiresAt.
type Sharer interface {
	// Share records grant on the draft of docID in locale, replacing any
	// earlier one, or removes it when grant is nil, and returns the draft.
	// ErrNotFound without a draft.
	Share(ctx context.Context, locale, docID string, grant *ShareGrant) (*Record, error)
}

// ShareGrant is a draft's share key and when it stops working.
type ShareGrant struct {
	Key     string
	Expires time.Time
}

// SubmissionLister is an optional capability of a Workflow backend: the
// drafts awaiting review (Apostrophe's submitted-draft list,
// docs/api-rules.md#69).
type SubmissionLister interface {
	// Submitted lists the drafts of locale that carry a submission, in no
	// particular order.
	Submitted(ctx context.Context, locale string) ([]Submitted, error)
}

// Submitted is one submitted draft: its aposDocId and the submission.
type Submitted struct {
	DocID string
	Submission
}
