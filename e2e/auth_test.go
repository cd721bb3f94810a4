package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
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

const credentials = "Your credentials are incorrect, or there is no such user"

func TestLogin(t *testing.T) {
	t.Parallel()
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
			r := s.do(t, "GET", "/product?aposMode=draft&perPage=1", "", "", testkit.Bearer(token)...)
			expect(t, r, 200, "results.0.aposMode", "draft", "results.0._publish", "true")
			if r.header.Get("Cache-Control") != "no-store" {
				t.Fatal("an authenticated GET must be no-store")
			}
			expect(t, s.do(t, "GET", "/product?aposMode=draft&access_token="+token, "", ""), 200)
			r = s.do(t, "POST", "/product", "", `{"title":"Via Bearer","price":700,"color":"red"}`, testkit.Bearer(token)...)
			expect(t, r, 200, "title", "Via Bearer", "aposMode", "published")
			for _, method := range []string{"GET", "POST"} {
				expect(t, s.do(t, method, loginPath+"/whoami", "", "", testkit.Bearer(token)...), 200,
					"@this", `{"_id":"2","username":"editor","title":"editor","email":"editor@shop.example"}`)
			}
			r = s.do(t, "POST", loginPath+"/logout", "", "", testkit.Bearer(token)...)
			expect(t, r, 200)
			if c := cookies(r); c["aposproxy.loggedIn"] == nil || c["aposproxy.loggedIn"].Value != "false" {
				t.Fatalf("logout cookies: %v", r.header["Set-Cookie"])
			}
			r = s.do(t, "GET", "/product", "", "", testkit.Bearer(token)...)
			if r.status != 401 || r.body != `{"name":"invalid","data":{},"message":"bearer token invalid"}` {
				t.Fatalf("a logged-out token: %d %s", r.status, r.body)
			}
		})
		t.Run("users table roles", func(t *testing.T) {
			contrib := s.login(t, "contrib")
			expect(t, s.do(t, "POST", "/product", "", `{"title":"x","price":1}`, testkit.Bearer(contrib)...), 403, "name", "forbidden")
			expect(t, s.do(t, "POST", "/product?aposMode=draft", "", `{"title":"Contrib Draft","price":1}`, testkit.Bearer(contrib)...), 200, "aposMode", "draft")
			guest := s.login(t, "guest")
			expect(t, s.do(t, "GET", "/product?aposMode=draft", "", "", testkit.Bearer(guest)...), 403, "name", "forbidden")
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
	t.Parallel()
	s := startShop(t, testkit.SQLite)
	token := s.login(t, "editor")
	t.Run("whoami and logout without a login", func(t *testing.T) {
		expect(t, s.do(t, "GET", loginPath+"/whoami", "", ""), 404, "name", "notfound")
		expect(t, s.do(t, "GET", loginPath+"/whoami", adminKey, ""), 200, "@this", `{"title":"System Task"}`)
		expect(t, s.do(t, "POST", loginPath+"/logout", "", ""), 403, "name", "forbidden", "message", "You were not logged in.")
		expect(t, s.do(t, "GET", loginPath+"/context", "", ""), 200, "requirementProps", "{}")
	})
	t.Run("forged tokens", func(t *testing.T) {
		for _, forged := range []string{token[:len(token)-1], token + "a", strings.ToUpper(token), "notavalidtoken"} {
			expect(t, s.do(t, "GET", "/product", "", "", testkit.Bearer(forged)...), 401, "name", "invalid", "message", "bearer token invalid")
		}
		expect(t, s.do(t, "GET", "/product?access_token="+token, "", "", testkit.Bearer(token)...), 400, "name", "invalid")
	})
	t.Run("bearer and API key", func(t *testing.T) {
		expect(t, s.do(t, "GET", loginPath+"/whoami", adminKey, "", testkit.Bearer(token)...), 200, "username", "editor")
		expect(t, s.do(t, "GET", loginPath+"/whoami?apikey="+adminKey, "", "", testkit.Bearer("forged")...), 200, "@this", `{"title":"System Task"}`)
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
		// The faster of two tries each, alternated: a load spike on a
		// shared machine slows one try, rarely both.
		wrong, missing := timeLogin("guest"), timeLogin("ghost")
		wrong, missing = min(wrong, timeLogin("guest")), min(missing, timeLogin("ghost"))
		t.Logf("wrong password %v, missing user %v", wrong, missing)
		if d := wrong - missing; d > 250*time.Millisecond || d < -250*time.Millisecond {
			t.Fatalf("wrong password %v, missing user %v", wrong, missing)
		}
	})
}

const tooMany = "Too many attempts. You may try again in a minute."

// TestLoginBurst attacks the throttle of the shop (3 failures per
// username a minute, 30 per address, a failure delay of 1s) on each
// engine, with the store in the shop's database, by a burst of parallel
// logins. It has a shop of its own, so that a throttle it defeats cannot
// lock the address for TestLoginThrottle's attacks.
func TestLoginBurst(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *shop) { burst(t, s, s) })
}

// TestLoginThrottle runs the other attacks on the throttle on each engine.
func TestLoginThrottle(t *testing.T) {
	forEachEngine(t, throttleAttacks)
}

// TestLoginThrottleRedis is TestLoginBurst and TestLoginThrottle with the
// store in Redis, the burst split between two instances sharing it.
func TestLoginThrottleRedis(t *testing.T) {
	redisStore(t)
	one, two := startShop(t, testkit.SQLite), startShop(t, testkit.SQLite)
	t.Run("burst", func(t *testing.T) { burst(t, one, two) })
	redisStore(t)
	throttleAttacks(t, startShop(t, testkit.SQLite))
}

// throttleAttacks runs the attacks on the throttle but the burst against
// s. Each uses a username of its own; together they stay under the
// address limit.
func throttleAttacks(t *testing.T, s *shop) {
	t.Run("failures under every name of a user count together", func(t *testing.T) { aliases(t, s) })
	t.Run("usernames no database can hold are wrong credentials", func(t *testing.T) { badUsernames(t, s) })
	t.Run("failures beside a success", func(t *testing.T) { besideSuccess(t, s) })
}

// post sends a login body without failing the test, so that goroutines
// may call it; it returns the status and the message, or the error.
func (s *shop) post(body, contentType string) (int, string) {
	resp, err := http.Post(s.base+loginPath+"/login", contentType, strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, gjson.GetBytes(b, "message").Str
}

// burst sends 39 wrong passwords at once, alternately to one and two,
// and, while they are being checked, the right one to two: three are
// checked, the rest and the right one find the user locked.
func burst(t *testing.T, one, two *shop) {
	answers := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 39 {
		s := one
		if i%2 == 1 {
			s = two
		}
		wg.Go(func() {
			status, msg := s.post(`{"username":"contrib","password":"wrong"}`, "application/json")
			mu.Lock()
			defer mu.Unlock()
			answers[fmt.Sprint(status, " ", msg)]++
		})
	}
	time.Sleep(300 * time.Millisecond)
	status, msg := two.post(`{"username":"contrib","password":"contrib-pass"}`, "application/json")
	wg.Wait()
	t.Logf("39 wrong passwords: %v; then the right one: %d %s", answers, status, msg)
	if status != 400 || msg != tooMany {
		t.Errorf("the right password after a burst of wrong ones: %d %s, want 400 %q", status, msg, tooMany)
	}
	if answers["400 "+credentials] != 3 || answers["400 "+tooMany] != 36 {
		t.Errorf("the wrong passwords were answered %v; want 3 checked and 36 refused", answers)
	}
}

// aliases fails once as the email and twice as the username: the user is
// locked under both names.
func aliases(t *testing.T, s *shop) {
	for _, name := range []string{"guest@shop.example", "guest", "guest"} {
		expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"`+name+`","password":"wrong"}`), 400, "message", credentials)
	}
	for _, name := range []string{"guest@shop.example", "guest"} {
		expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"`+name+`","password":"guest-pass"}`), 400, "message", tooMany)
	}
}

// badUsernames sends usernames with a NUL or invalid UTF-8, which
// PostgreSQL refuses to compare: they are wrong credentials like any
// other, delayed and counted.
func badUsernames(t *testing.T, s *shop) {
	tests := []struct{ name, body, contentType string }{
		{"NUL", `{"username":"nul\u0000byte","password":"x"}`, "application/json"},
		{"invalid UTF-8", "username=bad%FF%FEutf8&password=x", "application/x-www-form-urlencoded"},
	}
	for _, tt := range tests {
		start := time.Now()
		if status, msg := s.post(tt.body, tt.contentType); status != 400 || msg != credentials {
			t.Errorf("%s: %d %s, want 400 %q", tt.name, status, msg, credentials)
		}
		if took := time.Since(start); took < 900*time.Millisecond {
			t.Errorf("%s: answered in %v, before the failure delay (1s)", tt.name, took)
		}
	}
	for range 2 {
		s.post(tests[0].body, tests[0].contentType)
	}
	if status, msg := s.post(tests[0].body, tests[0].contentType); status != 400 || msg != tooMany {
		t.Errorf("a fourth NUL username: %d %s, want 400 %q", status, msg, tooMany)
	}
}

// besideSuccess sends two wrong passwords and the right one at once, five
// times: every answer is a login or a 400, never an outage.
func besideSuccess(t *testing.T, s *shop) {
	for range 5 {
		var wg sync.WaitGroup
		for _, pw := range []string{"wrong", "editor-pass", "wrong"} {
			wg.Go(func() {
				status, msg := s.post(`{"username":"editor","password":"`+pw+`"}`, "application/json")
				if status != 200 && (status != 400 || msg != credentials && msg != tooMany) {
					t.Errorf("password %s: %d %s", pw, status, msg)
				}
			})
		}
		wg.Wait()
	}
}
