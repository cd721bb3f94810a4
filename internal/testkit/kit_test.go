package testkit

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/valyala/fasthttp"
	_ "modernc.org/sqlite"
)

// TestServeAndDo serves a handler that echoes the request and checks what
// Do sends and reads back.
func TestServeAndDo(t *testing.T) {
	base := Serve(t, func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.Set("X-Method", string(ctx.Method()))
		ctx.SetStatusCode(201)
		ctx.SetBodyString(string(ctx.Request.Header.Peek("Authorization")) + "|" +
			string(ctx.Request.Header.ContentType()) + "|" + string(ctx.PostBody()))
	})
	for _, tc := range []struct {
		name, body string
		headers    []string
		want       string
	}{
		{"anonymous, no body", "", APIKey(""), "||"},
		{"an API key and a JSON body", `{"a":1}`, APIKey("k"), `ApiKey k|application/json|{"a":1}`},
		{"a bearer token, another content type", "x", append(Bearer("tok"), "Content-Type", "text/plain"), "Bearer tok|text/plain|x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Do(t, "POST", base+"/echo", tc.body, tc.headers...)
			if r.Status != 201 || r.Header.Get("X-Method") != "POST" || r.Body != tc.want {
				t.Fatalf("%d %v %q, want 201 POST %q", r.Status, r.Header, r.Body, tc.want)
			}
		})
	}
}

// TestCall runs a request through a handler in process.
func TestCall(t *testing.T) {
	r := Call(func(ctx *fasthttp.RequestCtx) {
		ctx.SetBodyString(string(ctx.Method()) + " " + string(ctx.RequestURI()) + " " +
			string(ctx.Request.Header.Peek("Authorization")) + " " + string(ctx.PostBody()))
	}, "PATCH", "/a?b=1", `{}`, APIKey("k")...)
	if got := string(r.Body()); r.StatusCode() != 200 || got != "PATCH /a?b=1 ApiKey k {}" {
		t.Fatalf("%d %q", r.StatusCode(), got)
	}
}

// TestFreeAddr checks that nothing answers at a free address.
func TestFreeAddr(t *testing.T) {
	addr := FreeAddr(t)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("%q is not a loopback address", addr)
	}
	var req fasthttp.Request
	var resp fasthttp.Response
	req.SetRequestURI("http://" + addr + "/")
	if err := fasthttp.Do(&req, &resp); err == nil {
		t.Fatalf("%s answered %d", addr, resp.StatusCode())
	}
}

// TestTempConfig checks that {{DIR}} and the other placeholders are filled
// in the configuration and its files.
func TestTempConfig(t *testing.T) {
	dir, text := TempConfig(t, `dsn = "{{DIR}}/a.db" # {{X}}`, map[string]string{"a.sql": "-- {{X}} in {{DIR}}"}, "X", "y")
	if text != `dsn = "`+dir+`/a.db" # y` {
		t.Fatalf("config %q", text)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "a.sql")); err != nil || string(b) != "-- y in "+dir {
		t.Fatalf("a.sql %q, %v", b, err)
	}
	path := WriteConfig(t, "{{X}}", nil, "X", "z")
	if !strings.HasSuffix(path, "/config.toml") {
		t.Fatalf("path %q", path)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "z" {
		t.Fatalf("config.toml %q, %v", b, err)
	}
}

// failure records a test's Fatalf.
type failure struct {
	testing.TB
	msg string
}

func (f *failure) Helper() {}
func (f *failure) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestFillLeftOver checks that a placeholder without a value fails.
func TestFillLeftOver(t *testing.T) {
	f := &failure{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); Fill(f, "{{DIR}} {{URL}}", "DIR", "d") }()
	<-done
	if f.msg != "{{URL}} has no value" {
		t.Fatalf("failure %q", f.msg)
	}
}

// TestFresh checks that each engine's fresh databases are empty and
// apart: a table made in one is not in the other.
func TestFresh(t *testing.T) {
	EachEngine(t, func(t *testing.T, e Engine) {
		driver := map[string]string{"sqlite": "sqlite", "postgres": "pgx", "mysql": "mysql"}[e.Name]
		one, err := sql.Open(driver, e.Fresh(t))
		if err != nil {
			t.Fatal(err)
		}
		defer one.Close()
		two, err := sql.Open(driver, e.Fresh(t))
		if err != nil {
			t.Fatal(err)
		}
		defer two.Close()
		if _, err := one.Exec("CREATE TABLE t (id INTEGER)"); err != nil {
			t.Fatal(err)
		}
		if _, err := two.Exec("SELECT id FROM t"); err == nil {
			t.Fatal("the second database has the first one's table")
		}
	})
}

// TestRedis checks that the test's keys are gone after it.
func TestRedis(t *testing.T) {
	var url, prefix string
	t.Run("keys", func(t *testing.T) {
		url, prefix = Redis(t)
		c := client(t, url)
		if err := c.Set(t.Context(), prefix+":k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	})
	if url == "" {
		t.Skip("no Redis")
	}
	if n, err := client(t, url).Exists(t.Context(), prefix+":k").Result(); err != nil || n != 0 {
		t.Fatalf("%d keys left, %v", n, err)
	}
}

func client(t *testing.T, url string) *redis.Client {
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}
