package auth

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/valyala/fasthttp"
)

var (
	// errBadBearer is Apostrophe's 401 for an unknown, expired or revoked
	// token (with data:{} added, docs/api-rules.md#45).
	errBadBearer = apos.NewError("unauthorized", "bearer token invalid", nil)
	// errTwoBearers answers a token sent both in the header and the query
	// (Apostrophe: 400 with an empty body).
	errTwoBearers = apos.Errorf(apos.ErrInvalid, "Send the bearer token once: in the Authorization header or as access_token.")
	errCSRF       = apos.NewError("forbidden", "CSRF exception", nil)
	bearerScheme  = []byte("bearer ")
)

// Authenticate is the front end's authenticator of logins (the proxy runs
// it before API keys). It follows Apostrophe's order:
// a valid bearer token wins (even over an API key); a bad one is a 401
// unless an API key is there to decide; then API keys beat sessions; a
// session cookie authenticates only with its CSRF cookie on writes.
func (a *Auth) Authenticate(ctx *fasthttp.RequestCtx) (*apos.Principal, error) {
	token, err := bearerToken(ctx)
	if err != nil {
		return nil, err
	}
	if token != "" {
		p, err := a.principal(store.Token, token)
		switch {
		case err != nil:
			return nil, err
		case p != nil:
			p.Via = "bearer"
			return p, nil
		case endpoint.HasAPIKey(ctx):
			return nil, nil
		}
		return nil, errBadBearer
	}
	sid := ctx.Request.Header.Cookie(a.cookies.sid)
	if len(sid) == 0 || endpoint.HasAPIKey(ctx) {
		return nil, nil
	}
	p, err := a.principal(store.Session, string(sid))
	if err != nil || p == nil {
		return nil, err // a stale session cookie is an anonymous caller
	}
	if err := a.checkCSRF(ctx); err != nil {
		return nil, err
	}
	p.Via = "session"
	return p, nil
}

// bearerToken reads "Authorization: Bearer T" or ?access_token=T.
func bearerToken(ctx *fasthttp.RequestCtx) (string, error) {
	var header []byte
	h := ctx.Request.Header.Peek(fasthttp.HeaderAuthorization)
	if len(h) > len(bearerScheme) && bytes.EqualFold(h[:len(bearerScheme)], bearerScheme) {
		header = bytes.TrimSpace(h[len(bearerScheme):])
	}
	query := ctx.QueryArgs().Peek("access_token")
	switch {
	case header != nil && query != nil:
		return "", errTwoBearers
	case header != nil:
		return string(header), nil
	}
	return string(query), nil
}

// checkCSRF is Apostrophe's double-submit check for cookie sessions: a
// safe request gets the CSRF cookie; any other must send it back, which a
// cross-site form cannot. Logging in is exempt, as in Apostrophe.
func (a *Auth) checkCSRF(ctx *fasthttp.RequestCtx) error {
	if ctx.IsGet() || ctx.IsHead() || ctx.IsTrace() {
		a.setCSRF(ctx.Response.Header.SetCookie)
		return nil
	}
	if !*a.cfg.CSRF || string(ctx.Path()) == a.prefix+loginPath {
		return nil
	}
	if string(ctx.Request.Header.Cookie(a.cookies.csrf)) != csrfValue {
		return errCSRF
	}
	return nil
}

// principal loads the caller a token or session stands for, or nil when
// the grant is unknown, expired, or its user is gone, inactive or has a
// new password since (the grant is then deleted). Sessions are rolling:
// a used session is extended, at most once per tenth of its lifetime.
func (a *Auth) principal(k store.Kind, secret string) (*apos.Principal, error) {
	// Bounded by the login timeout; made here, so that an anonymous
	// request (no token, no session cookie) costs no context.
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	id := storeKey(secret)
	g, err := a.store.Get(ctx, k, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(err)
	}
	u, err := a.users.Get(ctx, g.Source, g.UserID)
	if err != nil {
		return nil, unavailable(err)
	}
	if u == nil || u.Stamp() != g.Stamp {
		if err := a.store.Delete(ctx, k, id); err != nil {
			return nil, unavailable(err)
		}
		return nil, nil
	}
	if life := a.cfg.SessionLifetime.Duration; k == store.Session && time.Until(g.Expires) < life-life/10 {
		g.Expires = time.Now().Add(life)
		if err := a.store.Put(ctx, k, id, g); err != nil {
			return nil, unavailable(err)
		}
	}
	role, _ := apos.ParseRole(u.Role)
	return &apos.Principal{Role: role, ID: u.ID, Username: u.Username, Title: u.Title, Email: u.Email}, nil
}

// unavailable reports a store or users database failure as a 503; the
// cause is only logged.
func unavailable(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return apos.Wrap(apos.ErrTimeout, "", err)
	}
	return apos.Wrap(apos.ErrUnavailable, "", err)
}
