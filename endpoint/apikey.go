package endpoint

import (
	"bytes"

	"github.com/valyala/fasthttp"
)

var headerAPIKeyScheme = []byte("apikey ")

// APIKey returns the API key a request carries (?apikey=, ?apiKey= or
// "Authorization: ApiKey K", in Apostrophe's order), or nil.
func APIKey(ctx *fasthttp.RequestCtx) []byte {
	if key := ctx.QueryArgs().Peek("apikey"); key != nil {
		return key
	}
	if key := ctx.QueryArgs().Peek("apiKey"); key != nil {
		return key
	}
	h := ctx.Request.Header.Peek(fasthttp.HeaderAuthorization)
	if len(h) > len(headerAPIKeyScheme) && bytes.EqualFold(h[:len(headerAPIKeyScheme)], headerAPIKeyScheme) {
		return bytes.TrimSpace(h[len(headerAPIKeyScheme):])
	}
	return nil
}

// HasAPIKey reports whether a request carries an API key, valid or not.
// The front end runs the other authenticators before API keys (so that a
// valid bearer token can override an API-key user, as in Apostrophe); one
// whose credentials must yield to an API key finds none when this is
// true, and the API key then decides.
func HasAPIKey(ctx *fasthttp.RequestCtx) bool { return APIKey(ctx) != nil }
