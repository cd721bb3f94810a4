// Package store keeps what logins leave behind: bearer tokens, cookie
// sessions and throttle counters. Two implementations pass one behaviour
// suite (storetest): SQL tables the proxy owns (SQLite, PostgreSQL or
// MySQL) and Redis, which several proxy instances can share.
//
// Secrets never reach a store: callers pass the SHA-256 of a token or
// session id, and of a throttled username or address.
package store

import (
	"context"
	"errors"
	"time"
)

// Kind separates the two sorts of grants.
type Kind string

// The grant kinds.
const (
	Token   Kind = "token"
	Session Kind = "session"
)

// Grant is what a token or session stands for: a user of a source, as
// they were at login.
type Grant struct {
	Source string `json:"s"` // the user source's name
	UserID string `json:"u"`
	// Stamp fingerprints the user's password hash at login; a user whose
	// password changed since no longer matches it.
	Stamp   string    `json:"p"`
	Expires time.Time `json:"e"`
}

// ErrNotFound is Get's answer for an unknown or expired grant.
var ErrNotFound = errors.New("store: no such grant")

// Store holds grants and failure counters. Every method is safe for
// concurrent use, also across processes sharing the backing store: a
// grant deleted by one is gone for all at once.
type Store interface {
	// Put stores (or replaces) grant id of kind k until g.Expires.
	Put(ctx context.Context, k Kind, id string, g Grant) error
	// Get returns grant id of kind k, or ErrNotFound.
	Get(ctx context.Context, k Kind, id string) (Grant, error)
	// Delete removes grant id of kind k; a missing one is no error.
	Delete(ctx context.Context, k Kind, id string) error

	// Reserve takes one of key's attempts before a password is checked,
	// counting it as a failure in advance: when key counts fewer than
	// limit, it counts one more and returns true; otherwise it changes
	// nothing and returns false. It is atomic, so concurrent reservations
	// (in any process sharing the store) never take more than limit. The
	// first one starts a window of length window; the one that reaches
	// limit makes the counter last lockout from then on.
	Reserve(ctx context.Context, key string, limit int, window, lockout time.Duration) (bool, error)
	// Release gives back an attempt Reserve took for a check that did not
	// fail. A key without failures is no error.
	Release(ctx context.Context, key string) error
	// Failures returns key's current count (0 once it has expired).
	Failures(ctx context.Context, key string) (int, error)
	// Reset forgets key's failures.
	Reset(ctx context.Context, key string) error

	Close() error
}
