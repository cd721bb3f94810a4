package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// TestLogsCarryNoSecret drives a session with every kind of credential
// (API keys in the header and the query, a password, a bearer token, a
// session cookie, a wrong password) and greps the binary's whole output
// for each of them; every request has its line, with its id and caller.
func TestLogsCarryNoSecret(t *testing.T) {
	s := startShop(t, testkit.SQLite)
	secrets := []string{adminKey, editorKey, contributorKey, guestKey, "editor-pass", "wrong-pass-4711"}
	expect(t, s.do(t, "GET", "/product?perPage=1", editorKey, ""), 200)
	expect(t, s.do(t, "GET", "/product?perPage=1&apikey="+guestKey, "", ""), 200)
	expect(t, s.do(t, "GET", "/product?perPage=1", "not-a-key-0815", ""), 403)
	secrets = append(secrets, "not-a-key-0815")
	token := s.login(t, "editor")
	secrets = append(secrets, token)
	expect(t, s.do(t, "GET", "/product?aposMode=draft&perPage=1", "", "", testkit.Bearer(token)...), 200)
	r := s.do(t, "POST", loginPath+"/login", "", `{"username":"editor","password":"editor-pass","session":true}`)
	expect(t, r, 200)
	sid := cookies(r)["aposproxy.sid"].Value
	secrets = append(secrets, sid)
	expect(t, s.do(t, "POST", loginPath+"/whoami", "", "", "Cookie", "aposproxy.sid="+sid+"; aposproxy.csrf=csrf"), 200)
	expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"editor","password":"wrong-pass-4711"}`), 400)
	expect(t, s.do(t, "POST", loginPath+"/logout", "", "", testkit.Bearer(token)...), 200)
	expect(t, s.do(t, "PATCH", "/@apostrophecms/user/x:en:published", adminKey, `{"password":"new-secret-pass-99"}`), 404)
	secrets = append(secrets, "new-secret-pass-99")
	r = s.do(t, "GET", "/category", "", "", "X-Request-Id", "trace-abc-123")
	if got := r.header.Get("X-Request-Id"); got != "trace-abc-123" {
		t.Errorf("X-Request-Id: got %q, want the client's", got)
	}
	time.Sleep(300 * time.Millisecond) // the last lines
	logs := s.logs.String()
	for _, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the log shows the secret %q", secret)
		}
	}
	for _, want := range []string{"request_id=trace-abc-123", "route=/api/v1/category", "caller=apikey:editor",
		"caller=apikey:guest", "caller=anonymous", "route=/api/v1/@apostrophecms/user/{id}"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	if lines := strings.Count(logs, "msg=request "); lines < 11 {
		t.Errorf("%d request lines, want one per request (11)", lines)
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs)
	}
}

// reloadConfigs writes the shop's configuration to a directory of its
// own: before, without the category's parentId; after, with it, a new
// type (section) and the guest key revoked.
func reloadConfigs(t *testing.T) (path, after string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testkit.Root, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	full := strings.ReplaceAll(string(b), `"examples/shop/`, `"`+filepath.Join(testkit.Root, "examples/shop")+`/`)
	parent := "[[types.category.fields]]\nname = \"parentId\"\ncolumn = \"parent_id\"\nkind = \"integer\"\n"
	if !strings.Contains(full, parent) {
		t.Fatal("config.toml's category has no parentId field as expected")
	}
	before := strings.Replace(full, parent, "", 1)
	guest := "[api_keys.guest]\nrole = \"guest\"\nsecret = \"${SHOP_GUEST_APIKEY}\"\n"
	after = strings.Replace(full, guest, "", 1) +
		"\n[types.section]\ndatabase = \"shop\"\ntable = \"categories\"\n\n[[types.section.fields]]\nname = \"title\"\ncolumn = \"name\"\n"
	path = filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, after
}

// TestReloadUnderLoad reloads the binary with SIGHUP while clients read
// and write: no request fails, and the new configuration answers right
// after (a field gained, a key revoked, a new type). A broken file is
// refused with its key named, and the running one keeps serving.
func TestReloadUnderLoad(t *testing.T) {
	path, after := reloadConfigs(t)
	s := startShopWith(t, testkit.SQLite, binary, path)
	expect(t, s.do(t, "GET", "/category?perPage=1", guestKey, ""), 200)
	if r := s.do(t, "GET", "/category?perPage=1", "", ""); gjson.Get(r.body, "results.0.parentId").Exists() {
		t.Fatalf("parentId before the reload: %s", r.body)
	}
	stop, failures, total := make(chan struct{}), atomic.Int64{}, atomic.Int64{}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				path := []string{"/category?perPage=5", "/product?perPage=2", "/product/P-1001:en:published", "/article"}[i]
				if r := s.do(t, "GET", path, editorKey, ""); r.status != 200 {
					failures.Add(1)
					t.Errorf("GET %s: %d %s", path, r.status, r.body)
				}
				total.Add(1)
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	if err := os.WriteFile(path, []byte(after), 0o600); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if err := s.proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for s.do(t, "GET", "/section?perPage=1", "", "").status != 200 {
		if time.Since(sent) > 10*time.Second {
			t.Fatalf("the new type does not answer 10 s after SIGHUP:\n%s", s.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("the new configuration answered %v after SIGHUP", time.Since(sent))
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failures.Load() > 0 || total.Load() < 20 {
		t.Errorf("%d of %d requests failed during the reload", failures.Load(), total.Load())
	}
	if r := s.do(t, "GET", "/category?perPage=1", "", ""); !gjson.Get(r.body, "results.0.parentId").Exists() {
		t.Errorf("no parentId after the reload: %s", r.body)
	}
	expect(t, s.do(t, "GET", "/category?perPage=1", guestKey, ""), 403)

	broken := strings.Replace(after, "[types.section]\n", "[types.section]\ncolour = \"red\"\n", 1)
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(s.logs.String(), "reload refused") {
		if time.Since(sent) > 20*time.Second {
			t.Fatalf("no refusal logged:\n%s", s.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "types.section.colour") {
		t.Errorf("the refusal does not name the key:\n%s", logs)
	}
	expect(t, s.do(t, "GET", "/section?perPage=1", "", ""), 200)
}
