package oembed_test

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/oembed"
)

// invalid is Apostrophe's answer to every failed oEmbed query, byte for
// byte.
const invalid = `{"name":"invalid","data":{},"message":"Video URL invalid"}`

const queryPath = "/api/v1/@apostrophecms/oembed/query?url="

// siteConfig is a proxy with no types: an editor key, the store and
// jobs in the test's directory, and [oembed] trusting the test's
// provider on localhost.
const siteConfig = `
[api_keys.editor]
role = "editor"
secret = "oembed-editor-key"

[auth.store]
file = "{{DIR}}/auth.db"
{{STORE}}

[jobs]
file = "{{DIR}}/jobs.db"

[oembed]
minimum_allowlist = ["localhost"]
minimum_endpoints = []
private_hosts = ["localhost"]
timeout = "1s"
{{OEMBED}}
`

// site is one proxy instance, served on loopback, with its log.
type site struct {
	base string
	log  *testkit.Buffer
}

// startSite builds the proxy as the binary does and serves it; vars
// fill {{STORE}} and {{OEMBED}} (empty when not given: the first value
// of a placeholder wins).
func startSite(t *testing.T, vars ...string) *site {
	t.Helper()
	dir, text := testkit.TempConfig(t, siteConfig, nil, append(vars, "STORE", "", "OEMBED", "")...)
	cfg, err := config.Parse([]byte(text), dir)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{log: &testkit.Buffer{}}
	p, err := app.Build(t.Context(), cfg, slog.New(slog.NewTextHandler(s.log, nil)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	s.base = testkit.ServeServer(t, p.Server(cfg))
	return s
}

func (s *site) query(t *testing.T, u string, headers ...string) testkit.Response {
	t.Helper()
	return testkit.Do(t, "GET", s.base+queryPath+url.QueryEscape(u), "", headers...)
}

// videoProvider serves a page that names its oEmbed endpoint, and counts
// the answers it gives.
func videoProvider(t *testing.T) (base string, answers *atomic.Int64) {
	t.Helper()
	answers = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oembed":
			answers.Add(1)
			fmt.Fprintf(w, `{"version":"1.0","type":"video","title":"Loopback video","provider_name":"Oracle","width":640,`+
				`"height":360,"thumbnail_url":"http://%[1]s/thumb.jpg","html":"<iframe src=\"http://%[1]s/embed/1\" width=\"640\" height=\"360\"></iframe>"}`, r.Host)
		case "/redirect":
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		default:
			fmt.Fprintf(w, `<html><head><link rel="alternate" type="application/json+oembed" href="/oembed?url=%s"></head></html>`,
				url.QueryEscape("http://"+r.Host+r.URL.Path))
		}
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return "http://localhost:" + port, answers
}

// TestRoute: the route answers the provider's JSON with http:// made
// protocol-relative, to anonymous callers too (with no Cache-Control,
// which authenticated reads get), and every failure is Apostrophe's 400,
// byte for byte: redirects to 169.254.169.254, 127.0.0.1 and [::1] among
// them, whose listeners accept nothing.
func TestRoute(t *testing.T) {
	provider, answers := videoProvider(t)
	s := startSite(t)
	host := strings.TrimPrefix(provider, "http://")
	want := `{"version":"1.0","type":"video","title":"Loopback video","provider_name":"Oracle","width":640,"height":360,` +
		`"thumbnail_url":"//` + host + `/thumb.jpg","html":"<iframe src=\"//` + host + `/embed/1\" width=\"640\" height=\"360\"></iframe>"}`
	r := s.query(t, provider+"/video/1", testkit.APIKey("oembed-editor-key")...)
	if r.Status != 200 || r.Body != want || r.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("editor: %d %s %v\n want %s", r.Status, r.Body, r.Header, want)
	}
	r = s.query(t, provider+"/video/1")
	if r.Status != 200 || r.Body != want || r.Header.Get("Cache-Control") != "" {
		t.Fatalf("anonymous: %d %s %v", r.Status, r.Body, r.Header)
	}
	if answers.Load() != 1 {
		t.Fatalf("provider answered %d times, want 1 (the second from the cache)", answers.Load())
	}
	refused := []string{"", "notaurl", "http://127.0.0.1:9/video", "http://localhost:" + strings.Split(testkit.FreeAddr(t), ":")[1] + "/refused/1",
		provider + "/redirect?to=" + url.QueryEscape("http://169.254.169.254/latest/meta-data/")}
	v4, v6 := oembed.ListenCounting(t, "tcp4", "127.0.0.1:0"), oembed.ListenCounting(t, "tcp6", "[::1]:0")
	for _, l := range []*oembed.Counter{v4, v6} {
		if l != nil {
			refused = append(refused, provider+"/redirect?to="+url.QueryEscape("http://"+l.Addr+"/admin"))
		}
	}
	for _, u := range refused {
		if r := s.query(t, u); r.Status != 400 || r.Body != invalid {
			t.Errorf("%q: %d %s", u, r.Status, r.Body)
		}
	}
	for _, l := range []*oembed.Counter{v4, v6} {
		if l != nil && l.Accepted.Load() != 0 {
			t.Errorf("a redirect reached %s", l.Addr)
		}
	}
	if r := testkit.Do(t, "GET", s.base+"/api/v1/@apostrophecms/oembed/query", ""); r.Status != 400 || r.Body != invalid {
		t.Errorf("no url: %d %s", r.Status, r.Body)
	}
	if r := testkit.Do(t, "GET", s.base+queryPath+"a.b&url=c.d", ""); r.Status != 400 || r.Body != invalid {
		t.Errorf("two urls: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(s.log.String(), "refused a connection to an address that is not public") || !strings.Contains(s.log.String(), "169.254.169.254:80") {
		t.Errorf("the refusal is not logged:\n%s", s.log)
	}
}

// TestRouteRole: oembed.role raises who may query; lower callers get
// 403 before anything is fetched.
func TestRouteRole(t *testing.T) {
	provider, answers := videoProvider(t)
	s := startSite(t, "OEMBED", `role = "editor"`)
	if r := s.query(t, provider+"/video/1"); r.Status != 403 || !strings.Contains(r.Body, `"name":"forbidden"`) {
		t.Fatalf("anonymous: %d %s", r.Status, r.Body)
	}
	if r := s.query(t, provider+"/video/1", testkit.APIKey("oembed-editor-key")...); r.Status != 200 {
		t.Fatalf("editor: %d %s", r.Status, r.Body)
	}
	if answers.Load() != 1 {
		t.Fatalf("provider answered %d times", answers.Load())
	}
}

// TestRedisSharedCache: two instances whose login store is one Redis
// share the cache: the second answers what the first fetched, without
// asking the provider. With CI=true a missing Redis fails.
func TestRedisSharedCache(t *testing.T) {
	redisURL, prefix := testkit.Redis(t)
	provider, answers := videoProvider(t)
	store := fmt.Sprintf("kind = \"redis\"\nredis_url = %q\nprefix = %q", redisURL, prefix)
	one, two := startSite(t, "STORE", store), startSite(t, "STORE", store)
	page := provider + "/video/7"
	a, b := one.query(t, page), two.query(t, page)
	if a.Status != 200 || b.Status != 200 || a.Body != b.Body {
		t.Fatalf("one: %d %s\ntwo: %d %s", a.Status, a.Body, b.Status, b.Body)
	}
	if answers.Load() != 1 {
		t.Fatalf("provider answered %d times for two instances, want 1", answers.Load())
	}
	if c := startSite(t); c.query(t, page).Status != 200 || answers.Load() != 2 {
		t.Fatalf("an instance with its own store shares nothing: provider answered %d times, want 2", answers.Load())
	}
}
