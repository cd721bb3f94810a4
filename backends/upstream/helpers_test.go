package upstream

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/examples/inventory/service"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

const testToken = "test-inventory-token"

// locales are the root config's locales, which the snippet leaves out.
const locales = testkit.Locales

// serve runs h on a loopback listener until the test ends and returns its
// URL. Idle workers go quickly, so that leak checks need not wait for them.
func serve(t testing.TB, h fasthttp.RequestHandler) string {
	t.Helper()
	return testkit.ServeServer(t, &fasthttp.Server{Handler: h, MaxIdleWorkerDuration: 50 * time.Millisecond})
}

// snippet parses the example's config snippet with the service at url.
func snippet(t testing.TB, url string) *config.Config {
	t.Helper()
	b, err := os.ReadFile("../../examples/inventory/config.toml.snippet")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("INVENTORY_URL", url)
	t.Setenv("INVENTORY_TOKEN", testToken)
	cfg, err := config.Parse(append([]byte(locales), b...), ".")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// upstreamAt is the configuration of an upstream at url, as Load makes it.
func upstreamAt(t testing.TB, url string) config.Upstream {
	t.Helper()
	cfg, err := config.Parse([]byte("[upstreams.svc]\nurl = \""+url+"\"\n"), ".")
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Upstreams["svc"]
}

// adapterAt builds inventory-item from the snippet against url; tweak, when
// given, changes the config first.
func adapterAt(t testing.TB, url string, tweak func(*config.Config)) *Adapter {
	t.Helper()
	cfg := snippet(t, url)
	if tweak != nil {
		tweak(cfg)
	}
	c, err := NewClient("inventory", cfg.Upstreams["inventory"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	a, err := New(c, cfg.Types["inventory-item"], Options{DefaultLocale: cfg.Locales.Default})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// inventory runs a freshly seeded inventory service and returns its
// adapter and URL.
func inventory(t testing.TB) (*Adapter, string) {
	t.Helper()
	url := serve(t, service.New(testToken).Handler())
	return adapterAt(t, url, nil), url
}

// The scopes of the tests.
var (
	enLive  = apos.Scope{Locale: "en", Mode: apos.Published}
	enDraft = apos.Scope{Locale: "en", Mode: apos.Draft}
	frLive  = apos.Scope{Locale: "fr", Mode: apos.Published}
	frDraft = apos.Scope{Locale: "fr", Mode: apos.Draft}
)

// raw gets an item straight from the service, as it stores it.
func raw(t *testing.T, url, id, language, state string) (int, []byte) {
	t.Helper()
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(url + "/v2/items/" + id + "?language=" + language + "&state=" + state)
	req.Header.Set("X-Api-Token", testToken)
	if err := fasthttp.DoTimeout(req, resp, time.Second); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...)
}

// goroutines counts the running goroutines but two of fasthttp's: the
// idle-connection cleaner, which a closed client's pool keeps for up to its
// idle timeout (10s) before it notices it has nothing left to clean, and
// the process-wide clock of the Date header that the first server starts.
func goroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if !strings.Contains(g, "(*HostClient).connsCleaner") && !strings.Contains(g, "fasthttp.updateServerDate") {
			n++
		}
	}
	return n
}

// noLeaks fails the test when, after a short settle, more goroutines run
// than before.
func noLeaks(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for goroutines() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := goroutines(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines left behind:\n%s", n-before, buf[:runtime.Stack(buf, true)])
	}
}
