package attachments_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// siteConfig is a site with only attachments, on one database.
const siteConfig = `
[server]
listen = "127.0.0.1:0"
request_timeout = "10s"
[locales]
default = "en"
[[locales.list]]
name = "en"
[databases.main]
driver = "{{DRIVER}}"
dsn = "{{DSN}}"
[api_keys.admin]
role = "admin"
secret = "adminkey"
[api_keys.contributor]
role = "contributor"
secret = "contribkey"
[api_keys.guest]
role = "guest"
secret = "guestkey"
[auth.store]
file = "{{DIR}}/auth.db"
[jobs]
file = "{{DIR}}/jobs.db"
[attachments]
enabled = true
database = "main"
dir = "{{DIR}}/uploads"
base_url = "http://localhost:3000"
max_bytes = {{MAX}}
{{EXTRA}}
`

// site serves siteConfig on engine e (extra is appended to [attachments])
// and returns its base URL.
func site(t testing.TB, e testkit.Engine, extra string) string {
	t.Helper()
	return siteWith(t, e, 8<<20, extra)
}

func siteWith(t testing.TB, e testkit.Engine, maxBytes int, extra string) string {
	t.Helper()
	_, text := testkit.TempConfig(t, siteConfig, nil, "DRIVER", e.Name, "DSN", e.Fresh(t),
		"MAX", fmt.Sprint(maxBytes), "EXTRA", extra)
	cfg, err := config.Parse([]byte(text), ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := app.Build(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return testkit.ServeServer(t, p.Server(cfg))
}

// form is a multipart body with the given files (field, file name,
// content) and its Content-Type.
func form(t testing.TB, files ...[3]string) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range files {
		if f[1] == "" {
			_ = w.WriteField(f[0], f[2])
			continue
		}
		part, err := w.CreateFormFile(f[0], f[1])
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write([]byte(f[2]))
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// answer is a response, read whole.
type answer struct {
	Status int
	Header http.Header
	Body   string
}

func (a answer) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.Body), &m); err != nil {
		t.Fatalf("not JSON (%d): %s", a.Status, a.Body)
	}
	return m
}

// post sends body with contentType to url with key ("" for none).
func post(t testing.TB, url, key, contentType string, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if key != "" {
		req.Header.Set("Authorization", "ApiKey "+key)
	}
	return send(t, req)
}

func send(t testing.TB, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// upload posts one file in the field "file".
func upload(t testing.TB, base, key, filename string, content []byte) answer {
	t.Helper()
	body, ct := form(t, [3]string{"file", filename, string(content)})
	return post(t, base+"/api/v1/@apostrophecms/attachment/upload", key, ct, bytes.NewReader(body))
}

// get fetches url (an attachment's, whose host is the configured base
// URL) from the site at base.
func get(t testing.TB, base, url string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+strings.TrimPrefix(url, "http://localhost:3000"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return send(t, req)
}

// pngOf is a w×h PNG with a gradient.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
