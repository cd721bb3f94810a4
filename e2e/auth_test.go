package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The shop seed's users log in with "<login>-pass" (checked against the
// seed's bcrypt hashes by TestSeedPasswords in package auth).
const loginPath = "/@apostrophecms/login"

// login logs user in and returns the bearer token.
func (s *shop) login(t *testing.T, user string) string {
	t.Helper()
	r := s.do(t, "POST", loginPath+"/login", "", `{"username":"`+user+`","password":"`+user+`-pass"}`)
	expect(t, r, 200)
	token := gjson.Get(r.body, "token").Str
	if len(token) < 26 {
		t.Fatalf("token %q is too short for 128 bits", token)
	}
	return token
}

// cookies returns the Set-Cookie values of a response by name.
func cookies(r response) map[string]*http.Cookie {
	m := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		m[c.Name] = c
	}
	return m
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

const credentials = "Your credentials are incorrect, or there is no such user"

func TestLogin(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *shop) {
		t.Run("refusals", func(t *testing.T) {
			tests := []struct{ name, body, msg string }{
				{"missing fields", `{}`, "Both the username and the password are required."},
				{"wrong password", `{"username":"editor","password":"wrong"}`, credentials},
				{"unknown user", `{"username":"nobody","password":"x"}`, credentials},
				{"inactive user", `{"username":"former","password":"former-pass"}`, credentials},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					expect(t, s.do(t, "POST", loginPath+"/login", "", tt.body), 400, "name", "invalid", "data", "{}", "message", tt.msg)
				})
			}
		})
		t.Run("bearer token tour (C30-C33)", func(t *testing.T) {
			token := s.login(t, "editor")
			r := s.do(t, "GET", "/product?aposMode=draft&perPage=1", "", "", bearer(token)...)
			expect(t, r, 200, "results.0.aposMode", "draft", "results.0._publish", "true")
			if r.header.Get("Cache-Control") != "no-store" {
				t.Fatal("an authenticated GET must be no-store")
			}
			expect(t, s.do(t, "GET", "/product?aposMode=draft&access_token="+token, "", ""), 200)
			r = s.do(t, "POST", "/product", "", `{"title":"Via Bearer","price":700,"color":"red"}`, bearer(token)...)
			expect(t, r, 200, "title", "Via Bearer", "aposMode", "published")
			for _, method := range []string{"GET", "POST"} {
				expect(t, s.do(t, method, loginPath+"/whoami", "", "", bearer(token)...), 200,
					"@this", `{"_id":"2","username":"editor","title":"editor","email":"editor@shop.example"}`)
			}
			r = s.do(t, "POST", loginPath+"/logout", "", "", bearer(token)...)
			expect(t, r, 200)
			if c := cookies(r); c["aposproxy.loggedIn"] == nil || c["aposproxy.loggedIn"].Value != "false" {
				t.Fatalf("logout cookies: %v", r.header["Set-Cookie"])
			}
			r = s.do(t, "GET", "/product", "", "", bearer(token)...)
			if r.status != 401 || r.body != `{"name":"invalid","data":{},"message":"bearer token invalid"}` {
				t.Fatalf("a logged-out token: %d %s", r.status, r.body)
			}
		})
		t.Run("users table roles", func(t *testing.T) {
			contrib := s.login(t, "contrib")
			expect(t, s.do(t, "POST", "/product", "", `{"title":"x","price":1}`, bearer(contrib)...), 403, "name", "forbidden")
			expect(t, s.do(t, "POST", "/product?aposMode=draft", "", `{"title":"Contrib Draft","price":1}`, bearer(contrib)...), 200, "aposMode", "draft")
			guest := s.login(t, "guest")
			expect(t, s.do(t, "GET", "/product?aposMode=draft", "", "", bearer(guest)...), 403, "name", "forbidden")
			by := s.do(t, "POST", loginPath+"/login", "", `{"username":"admin@shop.example","password":"admin-pass"}`)
			expect(t, by, 200)
			expect(t, s.do(t, "GET", loginPath+"/whoami?access_token="+gjson.Get(by.body, "token").Str, "", ""), 200, "username", "admin")
		})
		t.Run("session tour (C29, C77)", func(t *testing.T) {
			r := s.do(t, "POST", loginPath+"/login", "", `{"username":"editor","password":"editor-pass","session":true}`)
			expect(t, r, 200, "@this", "{}")
			c := cookies(r)
			sid, csrf := c["aposproxy.sid"], c["aposproxy.csrf"]
			if sid == nil || !sid.HttpOnly || csrf == nil || csrf.Value != "csrf" || c["aposproxy.loggedIn"].Value != "true" {
				t.Fatalf("session login cookies: %v", r.header["Set-Cookie"])
			}
			jar := "aposproxy.sid=" + sid.Value + "; aposproxy.csrf=csrf"
			r = s.do(t, "GET", "/product?aposMode=draft&perPage=1", "", "", "Cookie", "aposproxy.sid="+sid.Value)
			expect(t, r, 200, "results.0.aposMode", "draft")
			if cookies(r)["aposproxy.csrf"] == nil || r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("a session GET gets the CSRF cookie and no-store: %v", r.header)
			}
			expect(t, s.do(t, "POST", "/product", "", `{"title":"No CSRF","price":1}`, "Cookie", "aposproxy.sid="+sid.Value),
				403, "name", "forbidden", "message", "CSRF exception")
			expect(t, s.do(t, "POST", "/product", "", `{"title":"Session Write","price":800}`, "Cookie", jar), 200, "title", "Session Write")
			expect(t, s.do(t, "POST", loginPath+"/whoami", "", "", "Cookie", jar), 200, "username", "editor")
			expect(t, s.do(t, "GET", loginPath+"/whoami", adminKey, "", "Cookie", jar), 200, "@this", `{"title":"System Task"}`)
			r = s.do(t, "POST", loginPath+"/logout", "", "", "Cookie", jar)
			expect(t, r, 200)
			if c := cookies(r); c["aposproxy.sid"] == nil || c["aposproxy.sid"].Value != "deleted" || c["aposproxy.loggedIn"].Value != "false" {
				t.Fatalf("logout cookies: %v", r.header["Set-Cookie"])
			}
			expect(t, s.do(t, "POST", "/product", "", `{"title":"After Logout","price":1}`, "Cookie", jar), 403, "name", "forbidden")
			expect(t, s.do(t, "POST", loginPath+"/whoami", "", "", "Cookie", jar), 404, "name", "notfound")
		})
		t.Run("a form-encoded login", func(t *testing.T) {
			r := s.do(t, "POST", loginPath+"/login", "", "username=editor&password=editor-pass", "Content-Type", "application/x-www-form-urlencoded")
			expect(t, r, 200)
			if len(gjson.Get(r.body, "token").Str) < 26 {
				t.Fatalf("form login: %s", r.body)
			}
		})
	})
}

func TestLoginEdges(t *testing.T) {
	s := startShop(t, engines[0])
	token := s.login(t, "editor")
	t.Run("whoami and logout without a login", func(t *testing.T) {
		expect(t, s.do(t, "GET", loginPath+"/whoami", "", ""), 404, "name", "notfound")
		expect(t, s.do(t, "GET", loginPath+"/whoami", adminKey, ""), 200, "@this", `{"title":"System Task"}`)
		expect(t, s.do(t, "POST", loginPath+"/logout", "", ""), 403, "name", "forbidden", "message", "You were not logged in.")
		expect(t, s.do(t, "GET", loginPath+"/context", "", ""), 200, "requirementProps", "{}")
	})
	t.Run("forged tokens", func(t *testing.T) {
		for _, forged := range []string{token[:len(token)-1], token + "a", strings.ToUpper(token), "notavalidtoken"} {
			expect(t, s.do(t, "GET", "/product", "", "", bearer(forged)...), 401, "name", "invalid", "message", "bearer token invalid")
		}
		expect(t, s.do(t, "GET", "/product?access_token="+token, "", "", bearer(token)...), 400, "name", "invalid")
	})
	t.Run("bearer and API key", func(t *testing.T) {
		expect(t, s.do(t, "GET", loginPath+"/whoami", adminKey, "", bearer(token)...), 200, "username", "editor")
		expect(t, s.do(t, "GET", loginPath+"/whoami?apikey="+adminKey, "", "", bearer("forged")...), 200, "@this", `{"title":"System Task"}`)
	})
	t.Run("throttle (C76)", func(t *testing.T) {
		for _, want := range []string{credentials, credentials, credentials, "Too many attempts. You may try again in a minute."} {
			expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"contrib","password":"wrong"}`), 400, "message", want)
		}
		expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"contrib","password":"contrib-pass"}`), 400,
			"message", "Too many attempts. You may try again in a minute.")
		s.login(t, "admin")
	})
	t.Run("a missing user takes as long as a wrong password", func(t *testing.T) {
		timeLogin := func(user string) time.Duration {
			start := time.Now()
			expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"`+user+`","password":"nope"}`), 400, "message", credentials)
			return time.Since(start)
		}
		wrong, missing := timeLogin("guest"), timeLogin("ghost")
		t.Logf("wrong password %v, missing user %v", wrong, missing)
		if d := wrong - missing; d > 250*time.Millisecond || d < -250*time.Millisecond {
			t.Fatalf("wrong password %v, missing user %v", wrong, missing)
		}
	})
}
