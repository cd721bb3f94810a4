package auth_test

import (
	"context"
	"database/sql"
	_ "embed"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/auth"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/internal/testkit/testproxy"
	"github.com/aposproxy/aposproxy/proxy"
	"github.com/tidwall/gjson"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"
)

// testConfig serves a note type and logs in users of a staff table, in a
// SQLite file; the store is a second file. extra is appended to [auth].
//
//go:embed testdata/config.toml
var testConfig string

// server is an in-process proxy with logins on a loopback port.
type server struct {
	base string
	exec func(query string, args ...any)
}

func start(t testing.TB, lifetime, extra string) *server {
	t.Helper()
	return startDelayed(t, lifetime, "1ms", extra)
}

// startDelayed is start with another failure delay.
func startDelayed(t testing.TB, lifetime, delay, extra string) *server {
	t.Helper()
	cfg, dir := testproxy.Config(t, testConfig, nil, "LIFETIME", lifetime, "DELAY", delay, "EXTRA", extra)
	ctx := context.Background()
	pw, _ := bcrypt.GenerateFromPassword([]byte("editor-pass"), bcrypt.MinCost)
	db := openSQL(t, filepath.Join(dir, "app.db"))
	db("CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, updated_by TEXT)")
	db("CREATE TABLE staff (id INTEGER PRIMARY KEY, login TEXT, pw TEXT, role TEXT, active INTEGER)")
	db("INSERT INTO staff VALUES (2, 'editor', ?, 'editor', 1)", string(pw))
	set := testproxy.Backends(t, cfg)
	a, err := auth.New(ctx, cfg, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	if err := a.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	api := testproxy.New(t, cfg, set, proxy.Options{Authenticators: []proxy.Authenticator{a}})
	if err := api.AddRoutes(a.Routes()...); err != nil {
		t.Fatal(err)
	}
	return &server{base: testkit.Serve(t, api.Handler()) + "/api/v1", exec: db}
}

// call sends a request and returns the status, body and headers.
func (s *server) call(t testing.TB, method, path, body string, headers ...string) (int, string, http.Header) {
	t.Helper()
	r := testkit.Do(t, method, s.base+path, body, headers...)
	return r.Status, r.Body, r.Header
}

func (s *server) login(t testing.TB) string {
	t.Helper()
	status, body, _ := s.call(t, "POST", "/@apostrophecms/login/login", `{"username":"editor","password":"editor-pass"}`)
	if status != 200 {
		t.Fatalf("login: %d %s", status, body)
	}
	return gjson.Get(body, "token").Str
}

func TestTokenEnds(t *testing.T) {
	s := start(t, "1s", "")
	tests := []struct {
		name  string
		after func(t *testing.T)
	}{
		{"replayed after expiry", func(*testing.T) { time.Sleep(1200 * time.Millisecond) }},
		{"password changed (C78)", func(*testing.T) {
			pw, _ := bcrypt.GenerateFromPassword([]byte("new-pass"), bcrypt.MinCost)
			s.exec("UPDATE staff SET pw = ? WHERE id = 2", string(pw))
		}},
		{"user deactivated", func(*testing.T) { s.exec("UPDATE staff SET active = 0 WHERE id = 2") }},
		{"role gone", func(*testing.T) { s.exec("UPDATE staff SET role = 'janitor' WHERE id = 2") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw, _ := bcrypt.GenerateFromPassword([]byte("editor-pass"), bcrypt.MinCost)
			s.exec("UPDATE staff SET pw = ?, active = 1, role = 'editor' WHERE id = 2", string(pw))
			token := s.login(t)
			if status, body, _ := s.call(t, "GET", "/note", "", testkit.Bearer(token)...); status != 200 {
				t.Fatalf("fresh token: %d %s", status, body)
			}
			tt.after(t)
			status, body, _ := s.call(t, "GET", "/note", "", testkit.Bearer(token)...)
			if status != 401 || gjson.Get(body, "message").Str != "bearer token invalid" {
				t.Fatalf("got %d %s, want 401 bearer token invalid", status, body)
			}
		})
	}
}

func TestCSRFOff(t *testing.T) {
	s := start(t, "1h", "csrf = false")
	status, _, h := s.call(t, "POST", "/@apostrophecms/login/login", `{"username":"editor","password":"editor-pass","session":"yes"}`)
	sid := regexp.MustCompile(`aposproxy\.sid=(\w+)`).FindStringSubmatch(strings.Join(h.Values("Set-Cookie"), "\n"))
	if status != 200 || sid == nil {
		t.Fatalf("session login: %d %v", status, h)
	}
	if status, body, _ := s.call(t, "POST", "/note", `{"title":"no csrf"}`, "Cookie", "aposproxy.sid="+sid[1]); status != 200 {
		t.Fatalf("with csrf = false a session write needs no CSRF cookie: %d %s", status, body)
	}
}

// openSQL returns a function that runs statements on the SQLite file at
// path, the way a legacy application would change its users.
func openSQL(t testing.TB, path string) func(string, ...any) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	db = testkit.Closing(t, db, err)
	return func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestUpdatedBy checks that a write by a logged-in user records them in an
// auto = "user" field.
func TestUpdatedBy(t *testing.T) {
	s := start(t, "1h", "")
	token := s.login(t)
	status, body, _ := s.call(t, "POST", "/note", `{"title":"by whom","updatedBy":"forged"}`, testkit.Bearer(token)...)
	if status != 200 || gjson.Get(body, "updatedBy").Str != "editor" {
		t.Fatalf("POST: %d %s", status, body)
	}
}
