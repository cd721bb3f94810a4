package auth

import (
	"time"

	"github.com/valyala/fasthttp"
)

// cookieNames are Apostrophe's cookies, after its shortName.
type cookieNames struct {
	sid, csrf, loggedIn string
}

func newCookieNames(prefix string) cookieNames {
	return cookieNames{sid: prefix + ".sid", csrf: prefix + ".csrf", loggedIn: prefix + ".loggedIn"}
}

// csrfValue is the CSRF cookie's value: Apostrophe's double-submit check
// only asks that a cross-site page cannot set the cookie, not that the
// value be secret.
const csrfValue = "csrf"

// csrfMaxAge copies Apostrophe's CSRF cookie lifetime (31536000 given to
// Express as milliseconds, so about 8.7 hours).
const csrfMaxAge = 31536

// cookie builds a Set-Cookie; httpOnly ones also get SameSite=Lax, as
// Apostrophe's session cookies do.
func (a *Auth) cookie(name, value string, httpOnly bool) *fasthttp.Cookie {
	c := fasthttp.AcquireCookie()
	c.SetKey(name)
	c.SetValue(value)
	c.SetPath("/")
	c.SetSecure(a.cfg.SecureCookies)
	if httpOnly {
		c.SetHTTPOnly(true)
		c.SetSameSite(fasthttp.CookieSameSiteLaxMode)
	}
	return c
}

// cookieJar adds a cookie to a response: an endpoint.Request's SetCookie, or
// a RequestCtx's response header's. Both copy the cookie.
type cookieJar func(*fasthttp.Cookie)

// put adds c and releases it.
func (set cookieJar) put(c *fasthttp.Cookie) {
	set(c)
	fasthttp.ReleaseCookie(c)
}

// setCSRF sets the CSRF cookie.
func (a *Auth) setCSRF(set cookieJar) {
	c := a.cookie(a.cookies.csrf, csrfValue, true)
	c.SetMaxAge(csrfMaxAge)
	set.put(c)
}

// setLoggedIn sets the session cookie, the CSRF cookie (so that a client
// may write at once) and loggedIn=true, as a session login does.
func (a *Auth) setLoggedIn(set cookieJar, sid string) {
	set.put(a.cookie(a.cookies.sid, sid, true))
	a.setCSRF(set)
	set.put(a.cookie(a.cookies.loggedIn, "true", false))
}

// setLoggedOut expires the session cookie and sets loggedIn=false, as
// Apostrophe's logout does.
func (a *Auth) setLoggedOut(set cookieJar) {
	c := a.cookie(a.cookies.sid, "deleted", true)
	c.SetExpire(time.Unix(0, 0))
	set.put(c)
	set.put(a.cookie(a.cookies.loggedIn, "false", false))
}
