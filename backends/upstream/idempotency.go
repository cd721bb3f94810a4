package upstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/aposproxy/aposproxy/adapters"
)

// idempotencyKey is the key of one write of a request: the client's key
// (adapters.WithIdempotencyKey, set by the proxy from the request's
// Idempotency-Key header)
// with the operation and a digest of what it sends, so that the several
// writes of one request (a draft and its published variant) have keys of
// their own; "" when the client sent none, for the client to make one.
func idempotencyKey(ctx context.Context, op string, uri, body []byte) string {
	key := adapters.IdempotencyKey(ctx)
	if key == "" {
		return ""
	}
	h := sha256.New()
	h.Write(uri)
	h.Write([]byte{0})
	h.Write(body)
	return key + ":" + op + ":" + hex.EncodeToString(h.Sum(nil)[:8])
}
