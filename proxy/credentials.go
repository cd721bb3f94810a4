package proxy

import (
	"bytes"

	"github.com/valyala/fasthttp"
)

var headerApiKeyScheme = []byte("apikey ")

// presentedAPIKey returns the API key a request carries (?apikey=,
// ?apiKey= or "Authorization: ApiKey K", in Apostrophe's order), or nil.
func presentedAPIKey(ctx *fasthttp.RequestCtx) []byte {
	if key := ctx.QueryArgs().Peek("apikey"); key != nil {
		return key
	}
	if key := ctx.QueryArgs().Peek("apiKey"); key != nil {
		return key
	}
	h := ctx.Request.Header.Peek(fasthttp.HeaderAuthorization)
	if len(h) > len(headerApiKeyScheme) && bytes.EqualFold(h[:len(headerApiKeyScheme)], headerApiKeyScheme) {
		return bytes.TrimSpace(h[len(headerApiKeyScheme):])
	}
	return nil
}

// HasAPIKey reports whether a request carries an API key, valid or not.
// Authenticators run before API keys (so that a valid bearer token can
// override an API-key user, as in Apostrophe); one whose credentials must
// yield to an API key returns nil, nil when this is true, and the API key
// then decides.
func HasAPIKey(ctx *fasthttp.RequestCtx) bool { return presentedAPIKey(ctx) != nil }
