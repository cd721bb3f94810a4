package app

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/examples/inventory/service"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// serveAll runs Serve over the shop with an admin listener until the test
// ends, and returns the main and admin base URLs.
func serveAll(t *testing.T, logs io.Writer) (main, admin string) {
	t.Helper()
	t.Setenv("INVENTORY_URL", testkit.Serve(t, service.New("dev-inventory-token").Handler()))
	cfg := shopConfig(t)
	cfg.Server.Listen, cfg.Admin.Listen, cfg.Admin.Metrics = testkit.FreeAddr(t), testkit.FreeAddr(t), "admin"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, cfg, NewLogger(logs), Options{access: newAccessLogger(logs, cfg.Log)}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	main, admin = "http://"+cfg.Server.Listen, "http://"+cfg.Admin.Listen
	waitListening(t, cfg.Admin.Listen)
	return main, admin
}

// waitListening waits until addr accepts connections.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("%s does not accept connections", addr)
}

func TestHealthAndMetrics(t *testing.T) {
	main, admin := serveAll(t, io.Discard)
	for _, base := range []string{main, admin} {
		if r := testkit.Do(t, "GET", base+"/healthz", ""); r.Status != 200 || r.Body != `{"status":"ok"}` {
			t.Errorf("%s/healthz: %d %s", base, r.Status, r.Body)
		}
		r := testkit.Do(t, "GET", base+"/readyz", "")
		if r.Status != 200 || !strings.Contains(r.Body, `"databases.shop":"ok"`) || !strings.Contains(r.Body, `"upstreams.inventory":"ok"`) || !strings.Contains(r.Body, `"status":"ready"`) {
			t.Errorf("%s/readyz: %d %s", base, r.Status, r.Body)
		}
	}
	if r := testkit.Do(t, "GET", main+"/api/v1/product/P-1001:en:published", ""); r.Status != 200 {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}
	if r := testkit.Do(t, "GET", main+"/metrics", ""); r.Status != 404 {
		t.Errorf("/metrics on the main listener: %d, want 404 (admin.metrics = admin)", r.Status)
	}
	r := testkit.Do(t, "GET", admin+"/metrics", "")
	for _, want := range []string{
		`aposproxy_http_requests_total{method="GET",route="/api/v1/product/{id}",status="2xx",type="product"} 1`,
		`aposproxy_http_request_duration_seconds_bucket{method="GET",route="/api/v1/product/{id}",type="product",le="10"} 1`,
		`aposproxy_db_connections_open{database="shop"}`,
		`aposproxy_db_wait_total{database="shop"}`,
		`aposproxy_login_failures_total{reason="throttled"}`,
		`aposproxy_jobs_total{state="running"}`,
		`go_build_info`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("/metrics lacks %s\n%s", want, grepLines(r.Body, "aposproxy_http"))
		}
	}
}

// A service or a database that does not answer makes /readyz 503, naming
// it by its key, and nothing of its URL or DSN.
func TestReadyNamesTheFailingBackend(t *testing.T) {
	t.Setenv("INVENTORY_URL", "http://"+testkit.FreeAddr(t)) // nothing listens
	cfg := shopConfig(t)
	p, err := Build(t.Context(), cfg, NewLogger(io.Discard), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	l := &live{}
	l.swap(newGeneration(p), 0)
	a := newAdmin(l, cfg, nil)
	status, body := a.ready()
	if status != 503 || string(body) != `{"status":"unready","checks":{"databases.shop":"ok","upstreams.inventory":"failing"},"failing":["upstreams.inventory"]}` {
		t.Errorf("ready with the service down: %d %s", status, body)
	}
	p.set.Close()
	if again, _ := a.ready(); again != status {
		t.Errorf("a second /readyz within ready_cache checked again")
	}
	a.at = time.Time{} // past the cache
	status, body = a.ready()
	if status != 503 || !strings.Contains(string(body), `"failing":["databases.shop","upstreams.inventory"]`) {
		t.Errorf("ready with the database closed: %d %s", status, body)
	}
	if strings.Contains(string(body), "shop.db") || strings.Contains(string(body), "127.0.0.1") {
		t.Errorf("the answer shows a DSN or URL: %s", body)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
