package adapters

import "context"

// idemKeyOf is the context key of a client's idempotency key.
type idemKeyOf struct{}

// WithIdempotencyKey returns a context that carries the client's own
// Idempotency-Key for the writes of one request. A backend that can make
// a write idempotent (an upstream whose service honours such keys) derives
// its keys from it, so that a client that sends the same request again
// gets the write done once; backends that cannot ignore it.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemKeyOf{}, key)
}

// IdempotencyKey returns the client's idempotency key carried by ctx, or "".
func IdempotencyKey(ctx context.Context) string {
	key, _ := ctx.Value(idemKeyOf{}).(string)
	return key
}
