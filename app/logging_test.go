package app

import (
	"errors"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// shopConfig loads the repository's config.toml (the shop) over a fresh
// SQLite file.
func shopConfig(tb testing.TB) *config.Config {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	tb.Setenv("SHOP_DB_DRIVER", "sqlite")
	tb.Setenv("SHOP_DB_DSN", "file:"+filepath.Join(tb.TempDir(), "shop.db"))
	cfg, err := config.Load(filepath.Join(filepath.Dir(filepath.Dir(file)), "config.toml"))
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// serveShop builds the program over cfg with its log written to logs,
// serves it as the binary does (Program.Server) on loopback until the
// test ends, and returns its address.
func serveShop(t *testing.T, cfg *config.Config, logs io.Writer) string {
	t.Helper()
	p, err := Build(t.Context(), cfg, NewLogger(logs), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return strings.TrimPrefix(testkit.ServeServer(t, p.Server(cfg)), "http://")
}

// raw sends a request as written and returns the answer's status line.
func raw(t *testing.T, addr, request string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, _ := io.ReadAll(c)
	line, _, _ := strings.Cut(string(b), "\r\n")
	return line
}

// The secrets the malformed requests carry, each of its kind.
const (
	queryKey     = "qk-secret-1"
	camelKey     = "qk-secret-2"
	bearerToken  = "t4vq2xg7pk5m3bz8c6hn9wdrjfs2ea7u" // 32 characters, as the proxy's tokens
	apiKeyHeader = "hk-secret-3"
	sessionID    = "sid-secret-4"
	csrfToken    = "csrf-secret-5"
)

// TestMalformedRequestsLogNoSecrets: a request fasthttp cannot parse is
// logged through the program's logger, and none of the credentials it
// carries (an API key in the query, a bearer token, an API key header, a
// session cookie) appear in the log.
func TestMalformedRequestsLogNoSecrets(t *testing.T) {
	var logs testkit.Buffer
	addr := serveShop(t, shopConfig(t), &logs)
	for _, req := range []string{
		// A header line without a colon.
		"GET /api/v1/product?apikey=" + queryKey + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bearerToken +
			"\r\nCookie: apos.sid=" + sessionID + "; apos.csrf=" + csrfToken + "\r\nBad header line\r\n\r\n",
		// A Content-Length that is no number.
		"POST /api/v1/product?apiKey=" + camelKey + " HTTP/1.1\r\nHost: x\r\nAuthorization: ApiKey " + apiKeyHeader +
			"\r\nContent-Length: abc\r\n\r\n",
		// An unknown HTTP version, which fasthttp quotes in its message.
		"GET /api/v1/product?apikey=" + queryKey + "&access_token=" + bearerToken + " HTTP/9.9 x\r\nHost: x\r\nCookie: apos.sid=" + sessionID + "\r\n\r\n",
		// Two Content-Lengths.
		"POST /api/v1/product?apikey=" + queryKey + " HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + apiKeyHeader +
			"\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
	} {
		if status := raw(t, addr, req); !strings.Contains(status, " 400 ") {
			t.Fatalf("a malformed request got %q", status)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(logs.String(), "from=fasthttp") < 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	out := logs.String()
	if n := strings.Count(out, "from=fasthttp"); n < 4 {
		t.Fatalf("%d of 4 malformed requests were logged through the program's logger:\n%s", n, out)
	}
	for _, secret := range []string{queryKey, camelKey, bearerToken, apiKeyHeader, sessionID, csrfToken} {
		if strings.Contains(out, secret) {
			t.Errorf("the log shows %q:\n%s", secret, out)
		}
	}
}

// TestRedact: each kind of credential is hidden, its name kept; the rest
// of the line stays readable.
func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`contents: "GET /api/v1/product?apikey=k1&perPage=2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\nCookie: apos.sid=s1\r\n\r\n"`,
			`contents: "GET /api/v1/product?apikey=[REDACTED]&perPage=2 HTTP/1.1\r\nHost: x\r\nAuthorization: [REDACTED]\r\nCookie: [REDACTED]\r\n\r\n"`},
		{"GET /x?apiKey=k2 HTTP/1.1\nX-Auth-Token: t\nSet-Cookie: a=b\n", "GET /x?apiKey=[REDACTED] HTTP/1.1\nX-Auth-Token: [REDACTED]\nSet-Cookie: [REDACTED]\n"},
		{"login failed for ada with password=hunter2", "login failed for ada with password=[REDACTED]"},
		{"sent Authorization ApiKey co-secret, got 403", "sent Authorization ApiKey [REDACTED], got 403"},
		{"token abcdefghijklmnopqrstuvwxyz234567 expired", "token [REDACTED] expired"},
		{"internal error path=/api/v1/product/P-1001:en:draft", "internal error path=/api/v1/product/P-1001:en:draft"},
	} {
		if got := redact(tc.in); got != tc.want {
			t.Errorf("redact(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
	var out testkit.Buffer
	newFasthttpLogger(NewLogger(&out)).Printf("error when serving connection %q<->%q: %v", "a", "b",
		errors.New(`buffer size=9, contents: "GET /?apikey=secret-0 HTTP/1.1\r\nCookie: a=secret-00\r\n"`))
	NewLogger(&out).Error("Bearer secret-1 refused", "err", errors.New("apikey=secret-2 unknown"), "header", "ApiKey secret-3")
	if strings.Contains(out.String(), "secret-") {
		t.Fatalf("the logger let a credential through: %s", out.String())
	}
}

// TestServerSettings: the fasthttp server takes [server]'s caps and logs
// through the program's logger, without request contents.
func TestServerSettings(t *testing.T) {
	cfg := shopConfig(t)
	cfg.Server.MaxConns, cfg.Server.MaxConnsPerIP, cfg.Server.MaxHeaderBytes = 100, 7, 8192
	p, err := Build(t.Context(), cfg, NewLogger(io.Discard), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := p.Server(cfg)
	got := []int{srv.Concurrency, srv.MaxConnsPerIP, srv.ReadBufferSize, srv.MaxRequestBodySize}
	if want := []int{100, 7, 8192, cfg.Server.MaxBodyBytes}; !slices.Equal(got, want) {
		t.Fatalf("limits = %v, want %v", got, want)
	}
	if _, ok := srv.Logger.(*fasthttpLogger); !ok || !srv.SecureErrorLogMessage {
		t.Fatalf("logger %T, secure messages %v", srv.Logger, srv.SecureErrorLogMessage)
	}
}

// TestSlowClientCut: a client that sends its headers a byte at a time
// (slowloris) is cut at server.read_timeout.
func TestSlowClientCut(t *testing.T) {
	cfg := shopConfig(t)
	cfg.Server.ReadTimeout.Duration = 300 * time.Millisecond
	c, err := net.Dial("tcp", serveShop(t, cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	for _, b := range []byte("GET /api/v1/category HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa") {
		if _, err := c.Write([]byte{b}); err != nil {
			break // cut
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.ReadAll(c)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the slow client held its connection %v", d)
	}
}

// FuzzRedactFilter: the quick test that lets a string skip the
// redactions never skips one that a redaction would change.
func FuzzRedactFilter(f *testing.F) {
	for _, s := range []string{"/api/v1/product/P-1001:en:published", `"Authorization:x`, "\\nCookie: a", "a=b", "Bearer x",
		"abcdefghijklmnopqrstuvwxyz234567", "abcdefghijklmnopqrstuvwxyz23456", "/uploads/attachments/ck1-photo.jpg", `x"y:z`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if mayHoldCredential(s) {
			return
		}
		for _, r := range redactions {
			if got := r.re.ReplaceAllString(s, r.keep); got != s {
				t.Fatalf("%q skips the redactions, but %s makes it %q", s, r.re, got)
			}
		}
	})
}
