// Package e2e holds black-box tests: they build the aposproxy binary, start
// it on the shop example against each database engine, and drive it over
// HTTP as a client would.
package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	shopfixture "github.com/aposproxy/aposproxy/examples/shop"
	"github.com/tidwall/sjson"
)

// binary is the aposproxy binary built once for the whole package.
var binary string

// repoRoot is the repository root, where config.toml lives.
var repoRoot string

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Dir(filepath.Dir(file))
	dir, err := os.MkdirTemp("", "aposproxy-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "aposproxy")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Dir = repoRoot
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building aposproxy:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// engine is one database engine the shop can run on.
type engine struct {
	name   string
	driver string // SHOP_DB_DRIVER
	envDSN string // where the test DSN comes from
}

var engines = []engine{
	{name: "sqlite", driver: "sqlite"},
	{name: "postgres", driver: "postgres", envDSN: "APOSPROXY_TEST_POSTGRES_DSN"},
	{name: "mysql", driver: "mysql", envDSN: "APOSPROXY_TEST_MYSQL_DSN"},
}

// forEachEngine runs f once per engine that is available. An engine whose
// DSN is not set is skipped, except in CI, where that is a failure.
func forEachEngine(t *testing.T, f func(t *testing.T, s *shop)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			s := startShop(t, e)
			f(t, s)
		})
	}
}

// API keys the shop is started with.
const (
	adminKey       = "e2e-admin-key"
	editorKey      = "e2e-editor-key"
	contributorKey = "e2e-contributor-key"
	guestKey       = "e2e-guest-key"
)

// shop is a running aposproxy serving the shop example.
type shop struct {
	base string // http://127.0.0.1:port/api/v1
	// driver and dsn reach the shop's database from outside the proxy,
	// for tests that check what it holds.
	driver, dsn string
}

// startShop prepares a fresh database for e (SQLite file, PostgreSQL
// schema or MySQL database), starts the binary on it, and stops both at
// cleanup.
func startShop(t *testing.T, e engine) *shop {
	t.Helper()
	return startShopWith(t, e, binary, filepath.Join(repoRoot, "config.toml"))
}

// startShopWith is startShop with another binary (one built with modules
// of its own) or another configuration.
func startShopWith(t *testing.T, e engine, bin, config string) *shop {
	t.Helper()
	env := []string{
		"SHOP_DB_DRIVER=" + e.driver,
		"SHOP_ADMIN_APIKEY=" + adminKey,
		"SHOP_EDITOR_APIKEY=" + editorKey,
		"SHOP_CONTRIBUTOR_APIKEY=" + contributorKey,
		"SHOP_GUEST_APIKEY=" + guestKey,
	}
	s := &shop{driver: e.driver}
	switch e.name {
	case "sqlite":
		s.dsn = "file:" + filepath.Join(t.TempDir(), "shop.db")
		env = append(env, "SHOP_DB_DSN="+s.dsn)
	default:
		base := os.Getenv(e.envDSN)
		if base == "" {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not set; CI must run every engine", e.envDSN)
			}
			t.Skipf("%s is not set", e.envDSN)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		dsn, drop, err := shopfixture.Fresh(ctx, e.name, base, "e2e_")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(drop)
		s.dsn = dsn
		env = append(env, "SHOP_DB_DSN="+dsn)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "-config", config, "-listen", addr)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	logs := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("aposproxy output:\n%s", logs.String())
		}
	})
	s.base = "http://" + addr + "/api/v1"
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/category")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("aposproxy did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// response is one HTTP exchange's outcome.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request to the shop; key is an API key or "".
func (s *shop) do(t *testing.T, method, path, key, body string, headers ...string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "ApiKey "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// setJSON sets one top-level key of a JSON document.
func setJSON(doc, key string, value any) (string, error) { return sjson.Set(doc, key, value) }
