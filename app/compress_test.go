package app

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// compressed is one answer read without decoding.
type compressed struct {
	status int
	header http.Header
	body   []byte
}

// fetch sends a request with the given headers (name, value, ...) and
// reads the answer as sent: the transport decodes nothing.
func fetch(t *testing.T, method, url string, body []byte, headers ...string) compressed {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return compressed{resp.StatusCode, resp.Header, b}
}

// decoded is the body of a with its Content-Encoding undone by the
// standard decoders (compress/gzip, andybalholm/brotli's reader).
func (a compressed) decoded(t *testing.T) []byte {
	t.Helper()
	var r io.Reader
	switch ce := a.header.Get("Content-Encoding"); ce {
	case "":
		return a.body
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(a.body))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(a.body))
	default:
		t.Fatalf("Content-Encoding %q", ce)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s: %v", a.header.Get("Content-Encoding"), err)
	}
	return b
}

func (a compressed) varies() bool {
	return strings.Contains(strings.Join(a.header.Values("Vary"), ","), "Accept-Encoding")
}

// TestCompression serves the shop with server.compress on a real
// listener: JSON answers of compress_min_bytes or more come gzip- or
// brotli-encoded as Accept-Encoding allows (q=0 refuses) and decode to the
// plain answer; smaller ones, images and byte ranges never do; the ETag of
// a compressed answer carries the coding, and If-None-Match and If-Match
// take it for the document's (docs/api-rules.md#224).
func TestCompression(t *testing.T) {
	t.Setenv("SHOP_ADMIN_APIKEY", "admin-key")
	cfg := shopConfig(t)
	cfg.Server.Compress, cfg.Server.CompressMinBytes = true, 400
	cfg.Attachments.Dir = t.TempDir()
	base := "http://" + serveShop(t, cfg, io.Discard)
	api := base + "/api/v1"
	admin := []string{"Authorization", "ApiKey admin-key"}

	// Every answer, plain and in each coding: the same JSON, compressed
	// exactly when it reaches the threshold.
	var small, big int
	for _, path := range []string{"/product?perPage=50", "/product/P-1001:en:published", "/product/nope:en:published", "/@apostrophecms/i18n/locales", "/category"} {
		plain := fetch(t, "GET", api+path, nil)
		if ce := plain.header.Get("Content-Encoding"); ce != "" {
			t.Fatalf("%s without Accept-Encoding: Content-Encoding %q", path, ce)
		}
		large := len(plain.body) >= cfg.Server.CompressMinBytes
		if large {
			big++
		} else {
			small++
		}
		for _, ae := range []string{"gzip", "br", "gzip, deflate, br", "br;q=0, gzip", "gzip;q=0, br;q=0", "identity"} {
			a := fetch(t, "GET", api+path, nil, "Accept-Encoding", ae)
			want := ""
			if large {
				switch {
				case ae == "br;q=0, gzip" || ae == "gzip":
					want = "gzip"
				case strings.Contains(ae, "br") && !strings.Contains(ae, "br;q=0"):
					want = "br"
				}
			}
			if ce := a.header.Get("Content-Encoding"); ce != want || a.status != plain.status {
				t.Fatalf("%s, Accept-Encoding %q (%d bytes plain): %d, Content-Encoding %q, want %d %q", path, ae, len(plain.body), a.status, ce, plain.status, want)
			}
			if got := a.decoded(t); !bytes.Equal(got, plain.body) {
				t.Fatalf("%s, %q: decoded body differs:\n%s\nplain:\n%s", path, ae, got, plain.body)
			}
			if large != a.varies() {
				t.Fatalf("%s, %q: Vary %q", path, ae, a.header.Values("Vary"))
			}
			if etag := plain.header.Get("ETag"); etag != "" {
				wantTag := etag
				if want != "" {
					wantTag = strings.TrimSuffix(etag, `"`) + "-" + want + `"`
				}
				if got := a.header.Get("ETag"); got != wantTag {
					t.Fatalf("%s, %q: ETag %s, want %s", path, ae, got, wantTag)
				}
			}
		}
	}
	if small == 0 || big == 0 {
		t.Fatalf("%d answers under the threshold and %d over it: the test needs both", small, big)
	}

	// 304: the client sends back either tag, in either coding.
	one := api + "/product/P-1001:en:published"
	plain := fetch(t, "GET", one, nil, admin...)
	br := fetch(t, "GET", one, nil, append(admin, "Accept-Encoding", "br")...)
	if br.header.Get("Content-Encoding") != "br" {
		t.Fatalf("the product is %d bytes: raise it over compress_min_bytes", len(plain.body))
	}
	for _, tc := range []struct{ inm, ae, want string }{
		{br.header.Get("ETag"), "br", br.header.Get("ETag")},
		{plain.header.Get("ETag"), "gzip", plain.header.Get("ETag")},
		{"W/" + br.header.Get("ETag"), "br", br.header.Get("ETag")},
		{br.header.Get("ETag"), "", br.header.Get("ETag")},
	} {
		a := fetch(t, "GET", one, nil, append(admin, "Accept-Encoding", tc.ae, "If-None-Match", tc.inm)...)
		if a.status != http.StatusNotModified || len(a.body) != 0 || a.header.Get("Content-Encoding") != "" || a.header.Get("ETag") != tc.want {
			t.Fatalf("If-None-Match %s, Accept-Encoding %q: %d %q ETag %s, want 304 and ETag %s", tc.inm, tc.ae, a.status, a.body, a.header.Get("ETag"), tc.want)
		}
	}

	// If-Match with the compressed answer's tag writes; the same tag, once
	// stale, is refused with 412.
	patch := []byte(`{"title":"Compressed sofa"}`)
	w := fetch(t, "PATCH", one, patch, append(admin, "Content-Type", "application/json", "Accept-Encoding", "gzip", "If-Match", br.header.Get("ETag"))...)
	if w.status != http.StatusOK {
		t.Fatalf("PATCH with If-Match %s: %d %s", br.header.Get("ETag"), w.status, w.decoded(t))
	}
	var doc struct{ Title string }
	if err := json.Unmarshal(w.decoded(t), &doc); err != nil || doc.Title != "Compressed sofa" {
		t.Fatalf("PATCH answer: %v %+v", err, doc)
	}
	again := fetch(t, "PATCH", one, patch, append(admin, "Content-Type", "application/json", "If-Match", br.header.Get("ETag"))...)
	if again.status != http.StatusPreconditionFailed {
		t.Fatalf("PATCH with a stale compressed tag: %d %s", again.status, again.body)
	}
	if fresh := w.header.Get("ETag"); !strings.HasSuffix(fresh, `-gzip"`) ||
		fetch(t, "PATCH", one, patch, append(admin, "Content-Type", "application/json", "If-Match", fresh)...).status != http.StatusOK {
		t.Fatalf("PATCH with the written answer's tag %s refused", fresh)
	}

	// Images and byte ranges go as stored; the reference page's script,
	// text, is compressed.
	up := uploadPNG(t, api, admin)
	for _, headers := range [][]string{{"Accept-Encoding", "gzip, br"}, {"Accept-Encoding", "gzip, br", "Range", "bytes=0-99"}} {
		a := fetch(t, "GET", base+up.path, nil, headers...)
		if (a.status != http.StatusOK && a.status != http.StatusPartialContent) || a.header.Get("Content-Encoding") != "" || a.varies() {
			t.Fatalf("GET %s %v: %d, Content-Encoding %q, Vary %q", up.path, headers, a.status, a.header.Get("Content-Encoding"), a.header.Values("Vary"))
		}
		if a.status == http.StatusOK && !bytes.Equal(a.body, up.content) {
			t.Fatal("the image differs from the upload")
		}
	}
	if a := fetch(t, "GET", api+"/docs/swagger-ui-bundle.js", nil, "Accept-Encoding", "gzip"); a.status != 200 || a.header.Get("Content-Encoding") != "gzip" || !bytes.Contains(a.decoded(t), []byte("SwaggerUIBundle")) {
		t.Fatalf("the reference page's script: %d, Content-Encoding %q", a.status, a.header.Get("Content-Encoding"))
	}
}

// upload is an uploaded image: the path of its original and its bytes.
type upload struct {
	path    string
	content []byte
}

// uploadPNG uploads a noisy PNG (over the threshold, and incompressible
// as any PNG) and returns where the original is served.
func uploadPNG(t *testing.T, api string, auth []string) upload {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(rand.IntN(256))
	}
	img.Set(0, 0, color.RGBA{1, 2, 3, 255})
	var pngBytes, form bytes.Buffer
	if err := png.Encode(&pngBytes, img); err != nil {
		t.Fatal(err)
	}
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("file", "noise.png")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(pngBytes.Bytes())
	mw.Close()
	a := fetch(t, "POST", api+"/@apostrophecms/attachment/upload", form.Bytes(), append(auth, "Content-Type", mw.FormDataContentType())...)
	var att struct {
		URLs struct{ Original string } `json:"_urls"`
	}
	if err := json.Unmarshal(a.decoded(t), &att); err != nil || a.status != 200 || att.URLs.Original == "" {
		t.Fatalf("upload: %d %s", a.status, a.decoded(t))
	}
	path := att.URLs.Original
	if i := strings.Index(path, "/uploads/"); i > 0 {
		path = path[i:]
	}
	return upload{path, pngBytes.Bytes()}
}
