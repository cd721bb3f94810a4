package loadgen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/aposproxy/aposproxy/internal/testkit/testproxy"
	"github.com/aposproxy/aposproxy/proxy"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

const editorKey = "loadgen-test-editor"

// startShop serves the shop example on a fresh SQLite file with the real
// proxy on a loopback port, and returns its API's base URL.
func startShop(t *testing.T) string {
	t.Helper()
	path := testkit.ShopSQLite(t)
	t.Setenv("SHOP_EDITOR_APIKEY", editorKey)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return testproxy.Serve(t, testproxy.Build(t, cfg, proxy.Options{})) + "/api/v1"
}

// runMain runs Main and returns its exit code and outputs.
func runMain(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := Main(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestMainRefusesBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"-types", "product"}, "give -target URL"},
		{"both targets", []string{"-target", "http://x/api/v1", "-targets", "f", "-types", "p"}, "give -target URL"},
		{"no types", []string{"-target", "http://127.0.0.1:1/api/v1"}, "-types is required"},
		{"not a URL", []string{"-target", "127.0.0.1:3000", "-types", "p"}, "is not a base URL"},
		{"bad mix", []string{"-target", "http://x/api/v1", "-types", "p", "-mix", "get=x"}, "whole number"},
		{"unknown scenario", []string{"-target", "http://x/api/v1", "-types", "p", "-mix", "browse=1"}, "unknown scenario"},
		{"drafts without credentials", []string{"-target", "http://x/api/v1", "-types", "p", "-mix", "draft=1"}, "needs credentials"},
		{"two credentials", []string{"-target", "http://x/api/v1", "-types", "p", "-apikey", "a", "-bearer", "b"}, "not both"},
		{"body not an object", []string{"-target", "http://x/api/v1", "-types", "p", "-body", "[1]"}, "JSON object"},
		{"no connections", []string{"-target", "http://x/api/v1", "-types", "p", "-connections", "0"}, "1 or more"},
		{"rounds too short", []string{"-target", "http://x/api/v1", "-types", "p", "-duration", "1s", "-rounds", "20"}, "too short"},
		{"compare a file", []string{"-targets", "f", "-compare", "http://x/api/v1"}, "-compare needs -target"},
		{"stray argument", []string{"-target", "http://x/api/v1", "-types", "p", "extra"}, "unexpected argument"},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runMain(tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
			if strings.Contains(stderr, "goroutine") {
				t.Fatalf("a stack trace: %s", stderr)
			}
		})
	}
}

func TestMainReportsAnUnreachableTarget(t *testing.T) {
	addr := testkit.FreeAddr(t) // nothing listens there now
	code, _, stderr := runMain("-target", "http://"+addr+"/api/v1", "-types", "product", "-quiet")
	if code != 1 || !strings.Contains(stderr, "cannot reach") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestMainReportsATypeThatIsNotThere(t *testing.T) {
	base := startShop(t)
	code, _, stderr := runMain("-target", base, "-types", "nope", "-quiet")
	if code != 1 || !strings.Contains(stderr, "status 404") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// count is how many products there are in every locale and mode.
func count(t *testing.T, base string) int64 {
	t.Helper()
	n := int64(0)
	for _, q := range []string{"aposLocale=en&aposMode=draft", "aposLocale=fr&aposMode=draft", "aposLocale=en", "aposLocale=fr"} {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI(base + "/product?count=1&" + q)
		req.Header.Set("Authorization", "ApiKey "+editorKey)
		if err := fasthttp.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		n += gjson.GetBytes(resp.Body(), "count").Int()
	}
	return n
}

func TestMainDrivesTheShopAndCleansUp(t *testing.T) {
	base := startShop(t)
	before := count(t, base)
	code, stdout, stderr := runMain("-target", base, "-types", "product,category,article", "-locales", "en,fr",
		"-apikey", editorKey, "-mix", "list=2,get=2,search=1,filter=1,draft=1,write=3",
		"-duration", "600ms", "-warmup", "0", "-connections", "4", "-json", "-quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if r.Requests == 0 || r.Success != 1 || len(r.Status) != 1 || r.Status["200"] == 0 {
		t.Fatalf("requests %d, success %v, status %v, errors %v", r.Requests, r.Success, r.Status, r.Errors)
	}
	for _, sc := range []string{"list", "get", "search", "filter", "draft", "write"} {
		if r.Scenarios[sc] == nil || r.Scenarios[sc].Requests == 0 {
			t.Errorf("scenario %s sent nothing: %v", sc, r.Scenarios[sc])
		}
	}
	if r.Cleanup == nil || len(r.Cleanup.Failed) > 0 {
		t.Fatalf("cleanup %+v", r.Cleanup)
	}
	if after := count(t, base); after != before {
		t.Fatalf("the run left %d products behind", after-before)
	}
}

func TestMainComparesTwoTargetsInRounds(t *testing.T) {
	a, b := startShop(t), startShop(t)
	code, stdout, stderr := runMain("-target", a, "-compare", b, "-types", "product", "-mix", "get=1",
		"-duration", "400ms", "-rounds", "2", "-warmup", "50ms", "-connections", "2", "-quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"A:", "B:", "B/A", "req/s, median of rounds", "p99.9"} {
		if !strings.Contains(stdout, want) {
			t.Fatalf("no %q in:\n%s", want, stdout)
		}
	}
}

func TestMainSendsAConstantRate(t *testing.T) {
	base := startShop(t)
	code, stdout, stderr := runMain("-target", base, "-types", "product", "-rate", "200",
		"-duration", "500ms", "-warmup", "0", "-json", "-quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Mode != "open" || r.Requests != 100 || r.Success != 1 {
		t.Fatalf("mode %s, %d requests at 200/s for 0.5s, success %v", r.Mode, r.Requests, r.Success)
	}
	// The self-check is reported; whether the schedule was kept depends
	// on the machine, and is not asserted.
	if s := r.Schedule; s == nil || s.Scheduled != 100 || s.Sent != 100 || s.Workers < 1 || s.LagMax < s.LagP99 {
		t.Fatalf("schedule %+v", r.Schedule)
	}
}

func TestHitMeasuresFromTheTimeTheRequestWasDue(t *testing.T) {
	base := startShop(t)
	c := newClient(&options{conns: 1})
	p := &plan{}
	r := request{method: "GET", url: base + "/product?aposLocale=en&perPage=1"}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	// A request due a second ago, as one the pacer sent late, counts
	// that second: coordinated omission is not hidden.
	res := hit(c, p, &r, req, resp, 5*time.Second, time.Now().Add(-time.Second))
	if res.err != "" || res.code != 200 || res.latency < time.Second {
		t.Fatalf("code %d, err %q, latency %v", res.code, res.err, res.latency)
	}
}

func TestMainReplaysATargetsFile(t *testing.T) {
	base := startShop(t)
	file := filepath.Join(t.TempDir(), "targets")
	text := "GET " + base + "/product/P-1004:fr:published\n\nGET " + base + "/category\nX-Any: 1\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain("-targets", file, "-duration", "300ms", "-warmup", "0", "-quiet")
	if code != 0 || !strings.Contains(stdout, "targets") || !strings.Contains(stdout, "200: ") {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
}
