package auth

import (
	"context"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/auth/users"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/tidwall/gjson"
)

// Apostrophe's login errors, word for word.
var (
	errMissing     = apos.Errorf(apos.ErrInvalid, "Both the username and the password are required.")
	errCredentials = apos.Errorf(apos.ErrInvalid, "Your credentials are incorrect, or there is no such user")
	errLocked      = apos.Errorf(apos.ErrInvalid, "Too many attempts. You may try again in a minute.")
)

// login serves POST /login: {username, password} gives {token}; with
// session:true, {} and a session cookie instead.
func (a *Auth) login(r *endpoint.Request) ([]byte, error) {
	body, err := r.Body()
	if err != nil {
		return nil, err
	}
	username, password := strings.TrimSpace(text(body.Get("username"))), text(body.Get("password"))
	if username == "" || password == "" {
		return nil, errMissing
	}
	u, err := a.check(r.Context, username, password, r.RemoteIP())
	if err != nil {
		return nil, err
	}
	secret := newSecret()
	g := store.Grant{Source: u.Source, UserID: u.ID, Stamp: u.Stamp()}
	if launderBool(body.Get("session")) {
		g.Expires = time.Now().Add(a.cfg.SessionLifetime.Duration)
		if err := a.store.Put(r.Context, store.Session, storeKey(secret), g); err != nil {
			return nil, unavailable(err)
		}
		a.setLoggedIn(r.SetCookie, secret)
		return []byte("{}"), nil
	}
	g.Expires = time.Now().Add(a.cfg.TokenLifetime.Duration)
	if err := a.store.Put(r.Context, store.Token, storeKey(secret), g); err != nil {
		return nil, unavailable(err)
	}
	return []byte(`{"token":"` + secret + `"}`), nil
}

// check verifies the credentials under the throttle. Before the password
// is looked at, one attempt of the user (of the name typed, when it names
// nobody) and one of the address are reserved, atomically, so that a
// burst of parallel logins checks no more passwords than the limits
// allow. A success gives them back; a failure keeps them and waits the
// failure delay. A name that names nobody, even one no database could
// hold, fails like a wrong password.
func (a *Auth) check(ctx context.Context, username, password, addr string) (*users.User, error) {
	u, err := a.users.Find(ctx, username)
	if err != nil {
		return nil, unavailable(err)
	}
	userKey := loginThrottleKey(u, username, a.cfg.CaseInsensitive)
	addrKey := throttleKey("addr", addr, false)
	ok, err := a.reserve(ctx, userKey, addrKey)
	if err != nil {
		return nil, unavailable(err)
	}
	if !ok {
		loginLocked.Add(1)
		return nil, errLocked
	}
	if !a.users.Check(u, password) {
		loginFailures.Add(1)
		a.log.Info("login failed", "addr", addr)
		time.Sleep(a.cfg.FailureDelay.Duration)
		return nil, errCredentials
	}
	if err := a.store.Reset(ctx, userKey); err != nil {
		return nil, unavailable(err)
	}
	if err := a.store.Release(ctx, addrKey); err != nil {
		return nil, unavailable(err)
	}
	return u, nil
}

// reserve takes an attempt of the user's and of the address's allowance;
// false when either is used up (the user's is then given back).
func (a *Auth) reserve(ctx context.Context, userKey, addrKey string) (bool, error) {
	th := a.cfg.Throttle
	ok, err := a.store.Reserve(ctx, userKey, th.Attempts, th.Per.Duration, th.Lockout.Duration)
	if err != nil || !ok {
		return false, err
	}
	ok, err = a.store.Reserve(ctx, addrKey, th.AddressAttempts, th.Per.Duration, th.Lockout.Duration)
	if err == nil && !ok {
		err = a.store.Release(ctx, userKey)
	}
	return ok, err
}

// text reads a body value as Apostrophe's launder.string does: strings,
// and numbers as text; anything else is empty.
func text(v gjson.Result) string {
	switch v.Type {
	case gjson.String:
		return v.Str
	case gjson.Number:
		return v.Raw
	}
	return ""
}

// launderBool is Apostrophe's launder.boolean: true, or a string starting
// with t, y or 1 ("false" is false, as Apostrophe 4.32 answers).
func launderBool(v gjson.Result) bool {
	switch v.Type {
	case gjson.True:
		return true
	case gjson.String:
		return v.Str != "" && strings.ContainsRune("tTyY1", rune(v.Str[0]))
	case gjson.Number:
		return v.Num == 1
	}
	return false
}
