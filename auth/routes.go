package auth

import (
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/tidwall/gjson"
)

// loginBase is the login module's path under the API prefix; loginPath is
// its one CSRF-exempt route.
const (
	loginBase = "/@apostrophecms/login"
	loginPath = loginBase + "/login"
)

var errNotLoggedIn = apos.NewError("forbidden", "You were not logged in.", nil)

// Routes are the login module's routes, for the front end to serve.
func (a *Auth) Routes() []endpoint.Route {
	base := a.prefix + loginBase
	return []endpoint.Route{
		{Name: "login", Method: "POST", Path: base + "/login", Handler: a.login},
		{Name: "login", Method: "POST", Path: base + "/logout", Handler: a.logout},
		{Name: "login", Method: "GET", Path: base + "/whoami", Handler: whoami},
		{Name: "login", Method: "POST", Path: base + "/whoami", Handler: whoami},
		{Name: "login", Method: "GET", Path: base + "/context", Handler: loginContext},
		{Name: "login", Method: "POST", Path: base + "/context", Handler: loginContext},
	}
}

// logout serves POST /logout: it deletes the presented token or session
// and clears the session cookie. An anonymous caller gets 403.
func (a *Auth) logout(r *endpoint.Request) ([]byte, error) {
	var err error
	switch r.Who.Via {
	case "":
		return nil, errNotLoggedIn
	case "bearer":
		token := r.Query("access_token")
		if token == "" {
			token = strings.TrimSpace(r.Header("Authorization")[len(bearerScheme):])
		}
		err = a.store.Delete(r.Context, store.Token, storeKey(token))
	case "session":
		err = a.store.Delete(r.Context, store.Session, storeKey(r.Cookie(a.cookies.sid)))
	}
	if err != nil {
		return nil, unavailable(err)
	}
	a.setLoggedOut(r.SetCookie)
	// Apostrophe answers an empty 200; the official OpenAPI description
	// promises a JSON object. {} satisfies both kinds of client.
	return []byte("{}"), nil
}

// whoami serves GET and POST /whoami: the caller's defined keys among
// _id, username, title and email; 404 for an anonymous caller.
func whoami(r *endpoint.Request) ([]byte, error) {
	w := r.Who
	if !w.Authenticated() {
		return nil, apos.ErrNotFound
	}
	b := []byte{'{'}
	for _, kv := range [...][2]string{{"_id", w.ID}, {"username", w.Username}, {"title", w.Title}, {"email", w.Email}} {
		if kv[1] == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = gjson.AppendJSONString(append(gjson.AppendJSONString(b, kv[0]), ':'), kv[1])
	}
	return append(b, '}'), nil
}

// loginContext serves GET and POST /context: what a login page needs.
// There are no login requirements; version is the Apostrophe release
// whose contract the proxy serves.
func loginContext(*endpoint.Request) ([]byte, error) {
	return []byte(`{"env":"production","name":"aposproxy","version":"4.32.2","requirementProps":{}}`), nil
}
