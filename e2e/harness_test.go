// Package e2e holds black-box tests: they build the aposproxy binary, start
// it on the shop example against each database engine, and drive it over
// HTTP as a client would.
package e2e

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	shopfixture "github.com/aposproxy/aposproxy/examples/shop"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/sjson"
)

// binary is the aposproxy binary built once for the whole package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aposproxy-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "aposproxy")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Dir = testkit.Root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building aposproxy:", err)
		os.Exit(1)
	}
	// Most tests wait on processes and databases more than they compute:
	// four at a time by default (GOMAXPROCS on two cores would be two),
	// so that the package stays well within go test's ten minutes. The
	// timing-sensitive ones (overload, throttles, faults) are not
	// parallel and run alone, before the others.
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "4")
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// forEachEngine runs f once per engine that is available. An engine whose
// DSN is not set is skipped, except in CI, where that is a failure.
func forEachEngine(t *testing.T, f func(t *testing.T, s *shop)) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) { f(t, startShop(t, e)) })
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
	// pid is the binary's process id, for tests that read /proc/<pid>.
	pid int
	// proc is the binary's process (to signal it), logs what it wrote.
	proc *os.Process
	logs *testkit.Buffer
}

// startShop prepares a fresh database for e (SQLite file, PostgreSQL
// schema or MySQL database), starts the binary on it, and stops both at
// cleanup.
func startShop(t *testing.T, e testkit.Engine) *shop {
	t.Helper()
	return startShopWith(t, e, binary, filepath.Join(testkit.Root, "config.toml"))
}

// startShopWith is startShop with another binary (one built with modules
// of its own) or another configuration.
func startShopWith(t *testing.T, e testkit.Engine, bin, config string) *shop {
	t.Helper()
	return startShopOn(t, e, bin, config, shopDatabase(t, e))
}

// startShopOn is startShopWith on a database prepared already (by another
// instance's shopDatabase, for instances that share it).
func startShopOn(t *testing.T, e testkit.Engine, bin, config, dsn string) *shop {
	t.Helper()
	env := []string{
		"SHOP_DB_DRIVER=" + e.Name,
		"SHOP_DB_DSN=" + dsn,
		"SHOP_ADMIN_APIKEY=" + adminKey,
		"SHOP_EDITOR_APIKEY=" + editorKey,
		"SHOP_CONTRIBUTOR_APIKEY=" + contributorKey,
		"SHOP_GUEST_APIKEY=" + guestKey,
		"APOSPROXY_ADMIN_LISTEN=" + testkit.FreeAddr(t),
	}
	s := startBinary(t, bin, config, env)
	s.driver, s.dsn = e.Name, dsn
	return s
}

// startBinary starts bin with config and env on a free port, waits until
// it answers, and stops it at cleanup. A port found free can be taken
// before the binary binds it (another test's server, or an outgoing
// connection's ephemeral port): a start refused with "address already in
// use" is tried again on other ports, the admin listener's too.
func startBinary(t *testing.T, bin, config string, env []string) *shop {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s, err := tryBinary(t, bin, config, env)
		if err == nil {
			return s
		}
		if attempt == 3 || !strings.Contains(s.logs.String(), "address already in use") {
			t.Fatalf("aposproxy did not start: %v\n%s", err, s.logs.String())
		}
		for i, kv := range env {
			if strings.HasPrefix(kv, "APOSPROXY_ADMIN_LISTEN=") {
				env[i] = "APOSPROXY_ADMIN_LISTEN=" + testkit.FreeAddr(t)
			}
		}
	}
}

// tryBinary is one attempt of startBinary: the started shop, or why it
// did not answer (the process is stopped then).
func tryBinary(t *testing.T, bin, config string, env []string) (*shop, error) {
	t.Helper()
	s := &shop{logs: &testkit.Buffer{}}
	addr := testkit.FreeAddr(t)
	cmd := exec.Command(bin, "-config", config, "-listen", addr)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.pid, s.proc = cmd.Process.Pid, cmd.Process
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	s.base = "http://" + addr + "/api/v1"
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/category")
		if err == nil {
			resp.Body.Close()
		}
		select {
		case <-exited: // whatever answered, it was not this process
			return s, fmt.Errorf("it exited: %v", err)
		default:
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			stop()
			return s, err
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("aposproxy output:\n%s", s.logs.String())
		}
	})
	return s, nil
}

// shopDatabase is a fresh database of e with the shop in it; for SQLite, a
// file not made yet, which the configuration bootstraps.
func shopDatabase(t *testing.T, e testkit.Engine) string {
	t.Helper()
	dsn := e.Fresh(t)
	if e != testkit.SQLite {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := shopfixture.Load(ctx, e.Name, dsn); err != nil {
			t.Fatal(err)
		}
	}
	return dsn
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
	r := testkit.Do(t, method, s.base+path, body, append(testkit.APIKey(key), headers...)...)
	return response{status: r.Status, header: r.Header, body: r.Body}
}

// setJSON sets one top-level key of a JSON document.
func setJSON(doc, key string, value any) (string, error) { return sjson.Set(doc, key, value) }
