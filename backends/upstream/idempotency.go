package upstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// idemKeyOf is the context key of a client's idempotency key.
type idemKeyOf struct{}

// WithIdempotencyKey returns a context whose writes to services that
// honour idempotency keys (upstreams.<name>.idempotency_header) carry keys
// derived from key, the client's own Idempotency-Key: a client that sends
// the same request again then sends the service the same keys, and the
// service does the write once. Without it, each write gets a random key,
// which makes the client's own retries of that one write safe.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemKeyOf{}, key)
}

// idempotencyKey is the key of one write of a request: the client's key
// with the operation and a digest of what it sends, so that the several
// writes of one request (a draft and its published variant) have keys of
// their own; "" when the client sent none, for the client to make one.
func idempotencyKey(ctx context.Context, op string, uri, body []byte) string {
	key, _ := ctx.Value(idemKeyOf{}).(string)
	if key == "" {
		return ""
	}
	h := sha256.New()
	h.Write(uri)
	h.Write([]byte{0})
	h.Write(body)
	return key + ":" + op + ":" + hex.EncodeToString(h.Sum(nil)[:8])
}
