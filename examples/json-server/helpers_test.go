// Package jsonserver tests aposproxy in front of json-server 0.17, a REST
// service it was not written for (config.toml, db.json, README.md). The
// tests run the real json-server from node_modules (`npm ci` here), on a
// copy of db.json, with a 1s keep-alive so that idle connections are
// closed by the service quickly.
package jsonserver

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

const editorKey = "books-editor-key"

// needNode skips the test when node or json-server is missing, and fails
// it under CI, where .ci/run installs them.
func needNode(t *testing.T) {
	t.Helper()
	_, errNode := exec.LookPath("node")
	_, errMod := os.Stat("node_modules/json-server/package.json")
	if errNode == nil && errMod == nil {
		return
	}
	msg := "node or node_modules/json-server is missing: run `npm ci` in examples/json-server"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// jsonServer is a running json-server on a copy of db.json.
type jsonServer struct {
	t    *testing.T
	db   string // the copy it serves
	port string
	url  string
	cmd  *exec.Cmd
}

// startJSONServer runs json-server on a fresh copy of db.json with a 1s
// keep-alive, on a free loopback port, until the test ends.
func startJSONServer(t *testing.T) *jsonServer {
	t.Helper()
	needNode(t)
	seed, err := os.ReadFile("db.json")
	if err != nil {
		t.Fatal(err)
	}
	s := &jsonServer{t: t, db: filepath.Join(t.TempDir(), "db.json"), port: "0"}
	if err := os.WriteFile(s.db, seed, 0o644); err != nil {
		t.Fatal(err)
	}
	s.start()
	t.Cleanup(s.stop)
	return s
}

// start runs serve.js and waits for it to listen.
func (s *jsonServer) start() {
	s.t.Helper()
	s.cmd = exec.Command("node", "serve.js", s.db, s.port, "1000")
	// json-server prints a stack for each 500; the tests cause some.
	var stderr bytes.Buffer
	s.cmd.Stderr = &stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- l
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case l := <-line:
		url, ok := strings.CutPrefix(strings.TrimSpace(l), "json-server ")
		if !ok {
			s.t.Fatalf("json-server did not start: %q", l+stderr.String())
		}
		s.url = url
		s.port = url[strings.LastIndexByte(url, ':')+1:]
	case <-time.After(15 * time.Second):
		s.t.Fatal("json-server did not start within 15s")
	}
}

// stop ends json-server.
func (s *jsonServer) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

// raw calls json-server itself and returns its status and body.
func (s *jsonServer) raw(method, path string) (int, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// loadConfig reads config.toml, changed by edit when given, for the
// service at url.
func loadConfig(t *testing.T, url string, edit func(string) string) (*config.Config, error) {
	t.Helper()
	src, err := os.ReadFile("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	if edit != nil {
		text = edit(text)
	}
	t.Setenv("JSON_SERVER_URL", url)
	t.Setenv("BOOKS_EDITOR_APIKEY", editorKey)
	dir := t.TempDir()
	text += "\n[jobs]\nfile = \"" + filepath.Join(dir, "jobs.db") + "\"\n[auth.store]\nfile = \"" + filepath.Join(dir, "auth.db") + "\"\n"
	return config.Parse([]byte(text), ".")
}

// buildProxy builds the proxy as the binary does (the start's live probe
// included) for the configuration.
func buildProxy(t *testing.T, cfg *config.Config) (*app.Program, error) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return app.Build(t.Context(), cfg, log, app.Options{})
}

// proxy serves the example's configuration, changed by edit, in front of
// the json-server at url, and returns a client of it.
func proxy(t *testing.T, url string, edit func(string) string) *client {
	t.Helper()
	cfg, err := loadConfig(t, url, edit)
	if err != nil {
		t.Fatal(err)
	}
	p, err := buildProxy(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return &client{t: t, base: testkit.ServeServer(t, p.Server(cfg)) + "/api/v1"}
}

// client calls the proxy.
type client struct {
	t    *testing.T
	base string
}

// do sends a request, as the editor when editor is true, and returns the
// status and the JSON body.
func (c *client) do(method, path string, editor bool, body string) (int, gjson.Result) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, _ := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if editor {
		req.Header.Set("Authorization", "ApiKey "+editorKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, gjson.ParseBytes(b)
}

// get is an anonymous GET that must answer want.
func (c *client) get(path string, want int) gjson.Result {
	c.t.Helper()
	status, body := c.do("GET", path, false, "")
	if status != want {
		c.t.Fatalf("GET %s: %d %s, want %d", path, status, body.Raw, want)
	}
	return body
}

// as sends a request as the editor that must answer want.
func (c *client) as(method, path, body string, want int) gjson.Result {
	c.t.Helper()
	status, res := c.do(method, path, true, body)
	if status != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, status, res.Raw, want)
	}
	return res
}

// strs lists a string member of every result.
func strs(list gjson.Result, member string) []string {
	var out []string
	for _, r := range list.Get("results").Array() {
		out = append(out, r.Get(member).String())
	}
	return out
}

// ints lists an integer member of every result.
func ints(list gjson.Result, member string) []int64 {
	var out []int64
	for _, r := range list.Get("results").Array() {
		out = append(out, r.Get(member).Int())
	}
	return out
}
