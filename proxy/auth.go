package proxy

import (
	"crypto/sha256"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/valyala/fasthttp"
)

// Authenticator recognises one kind of credentials. It returns nil, nil
// when the request carries none of its kind, a principal when they are
// valid, and an error (answered as is) when they are present but bad.
// Login's bearer tokens and sessions (package auth) plug in here.
type Authenticator interface {
	Authenticate(ctx *fasthttp.RequestCtx) (*apos.Principal, error)
}

// apiKeys authenticates Apostrophe's API keys: ?apikey=, ?apiKey= or
// "Authorization: ApiKey K" (docs/api-rules.md#50).
type apiKeys struct {
	// byHash maps sha256(secret) to its principal; hashing first makes
	// the lookup independent of how much of a guess matches.
	byHash map[[32]byte]*apos.Principal
	// names labels each key's principal "apikey:<name>", for the request
	// log.
	names map[*apos.Principal]string
}

// apiKey is a configured key's name and role.
type apiKey struct {
	name string
	role apos.Role
}

func newAPIKeys(keys map[string]apiKey) *apiKeys {
	a := &apiKeys{byHash: make(map[[32]byte]*apos.Principal, len(keys)), names: map[*apos.Principal]string{}}
	for secret, k := range keys {
		p := &apos.Principal{Role: k.role, Title: "System Task", Via: "apikey"}
		a.byHash[sha256.Sum256([]byte(secret))] = p
		a.names[p] = "apikey:" + k.name
	}
	return a
}

var errBadAPIKey = apos.NewError("forbidden", "Invalid API key.", nil)

// Authenticate implements Authenticator.
func (a *apiKeys) Authenticate(ctx *fasthttp.RequestCtx) (*apos.Principal, error) {
	key := endpoint.APIKey(ctx)
	if key == nil {
		return nil, nil
	}
	sum := sha256.Sum256(key)
	if p, ok := a.byHash[sum]; ok {
		return p, nil
	}
	return nil, errBadAPIKey
}

// authenticate runs the authenticators in order; the first that recognises
// credentials decides. No credentials at all is the anonymous caller.
func (s *Server) authenticate(ctx *fasthttp.RequestCtx) (*apos.Principal, error) {
	for _, a := range s.auth {
		p, err := a.Authenticate(ctx)
		if err != nil || p != nil {
			return p, err
		}
	}
	return apos.Nobody, nil
}
