package attachments_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

const uploadPath = "/api/v1/@apostrophecms/attachment/upload"

// TestGroups uploads a file of each kind: images are measured, files
// get _url and are served as downloads (docs/api-rules.md#190, #195).
func TestGroups(t *testing.T) {
	base := site(t, testkit.SQLite, "")
	var jpg, gf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 40, 90))
	img.Set(1, 1, color.White)
	_ = jpeg.Encode(&jpg, img, nil)
	_ = gif.Encode(&gf, img, nil)
	cases := []struct {
		file, content, group, ext, ct string
	}{
		{"photo.JPEG", jpg.String(), "images", "jpg", "image/jpeg"},
		{"anim.gif", gf.String(), "images", "gif", "image/gif"},
		{"misnamed.jpg", string(pngOf(t, 3, 3)), "images", "png", "image/png"}, // the content decides
		{"notes.txt", "hello, world\n", "office", "txt", "text/plain; charset=utf-8"},
		{"data.csv", "a,b\n1,2\n", "office", "csv", "text/csv; charset=utf-8"},
		{"paper.pdf", "%PDF-1.4\n%...", "office", "pdf", "application/pdf"},
		{"sheet.xlsx", "PK\x03\x04rest", "office", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"old.doc", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", "office", "doc", "application/msword"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			a := upload(t, base, "contribkey", c.file, []byte(c.content))
			m := a.json(t)
			if a.Status != 200 || m["group"] != c.group || m["extension"] != c.ext {
				t.Fatalf("%d %s", a.Status, a.Body)
			}
			url, _ := m["_url"].(string)
			if c.group == "images" {
				if m["width"] == nil || url != "" || m["portrait"] != true && m["landscape"] != true {
					t.Errorf("image: %s", a.Body)
				}
				url = m["_urls"].(map[string]any)["one-sixth"].(string)
			} else if len(m["_urls"].(map[string]any)) != 0 || m["_isCroppable"] != false || url == "" {
				t.Errorf("file: %s", a.Body)
			}
			f := get(t, base, url)
			download := strings.HasPrefix(f.Header.Get("Content-Disposition"), "attachment")
			if f.Status != 200 || f.Header.Get("Content-Type") != c.ct || download != (c.group != "images") {
				t.Errorf("GET %s: %d %v", url, f.Status, f.Header)
			}
		})
	}
}

// TestRefusals are the refusals of docs/api-rules.md#190 to #194.
func TestRefusals(t *testing.T) {
	base := site(t, testkit.SQLite, "")
	png := string(pngOf(t, 4, 4))
	forbidden := `{"type":"forbidden","name":"forbidden","data":{},"message":"You do not have permission to upload a file"}`
	notAccepted := `{"name":"invalid","data":{},"message":"File was not accepted. It may be corrupted or its content may not match its file extension."}`
	invalid := `{"name":"invalid","data":{},"message":"invalid"}`
	cases := []struct {
		name, key string
		files     [][3]string
		status    int
		body      string
	}{
		{"anonymous", "", [][3]string{{"file", "a.png", png}}, 403, forbidden},
		{"guest", "guestkey", [][3]string{{"file", "a.png", png}}, 403, forbidden},
		{"no file", "adminkey", [][3]string{{"notfile", "", "x"}}, 400, invalid},
		{"a text field named file", "adminkey", [][3]string{{"file", "", "x"}}, 400, invalid},
		{"file in another field", "adminkey", [][3]string{{"other", "a.png", png}}, 400, invalid},
		{"two files", "adminkey", [][3]string{{"file", "a.png", png}, {"file", "b.png", png}}, 400, invalid},
		{"exe", "adminkey", [][3]string{{"file", "evil.exe", "MZ"}}, 400, `{"name":"invalid","data":{},"message":"File type exe was not accepted. Allowed extensions: gif, jpg, png, svg, webp, txt, rtf, pdf, xls, ppt, doc, pptx, sldx, ppsx, potx, xlsx, xltx, csv, docx, dotx"}`},
		{"no extension", "adminkey", [][3]string{{"file", "README", "text"}}, 400, `{"name":"invalid","data":{},"message":"File type  was not accepted. Allowed extensions: gif, jpg, png, svg, webp, txt, rtf, pdf, xls, ppt, doc, pptx, sldx, ppsx, potx, xlsx, xltx, csv, docx, dotx"}`},
		{"a text file named .png", "adminkey", [][3]string{{"file", "photo.png", "just some text, not a PNG"}}, 400, notAccepted},
		{"a truncated PNG", "adminkey", [][3]string{{"file", "photo.png", png[:40]}}, 400, notAccepted},
		{"a PNG named .txt", "adminkey", [][3]string{{"file", "notes.txt", png}}, 400, notAccepted},
		{"HTML named .txt", "adminkey", [][3]string{{"file", "notes.txt", "<html><script>alert(1)</script>"}}, 400, notAccepted},
		{"not a PDF", "adminkey", [][3]string{{"file", "paper.pdf", "<script>alert(1)</script>"}}, 400, notAccepted},
		{"not a docx", "adminkey", [][3]string{{"file", "a.docx", "plain"}}, 400, notAccepted},
		{"not an SVG", "adminkey", [][3]string{{"file", "a.svg", "<html><body>hi</body></html>"}}, 400, notAccepted},
		{"SVG not XML", "adminkey", [][3]string{{"file", "a.svg", "<svg><g></svg>"}}, 400, notAccepted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, ct := form(t, c.files...)
			a := post(t, base+uploadPath, c.key, ct, bytes.NewReader(body))
			if a.Status != c.status || a.Body != c.body {
				t.Errorf("%d %s\nwant %d %s", a.Status, a.Body, c.status, c.body)
			}
		})
	}
	if a := post(t, base+uploadPath, "adminkey", "application/json", strings.NewReader(`{}`)); a.Status != 400 {
		t.Errorf("JSON body: %d %s", a.Status, a.Body)
	}
}

// TestSVG: a hostile SVG is stored without its script, event handlers,
// outside references or foreign content (docs/api-rules.md#193); with
// svg = "refuse" it is refused.
func TestSVG(t *testing.T) {
	base := site(t, testkit.SQLite, "")
	hostile := `<?xml version="1.0"?><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
<script>alert(2)</script><script xlink:href="https://evil.example/x.js"/>
<rect width="10" height="10" fill="url(#g)" onclick="alert(3)" style="fill:red"/>
<a xlink:href="javascript:alert(4)"><circle r="3"/></a>
<use xlink:href="#r"/><use href="https://evil.example/s.svg#x"/><image href="data:image/png;base64,AAAA"/>
<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><script>alert(5)</script></body></foreignObject>
<set attributeName="onmouseover" to="alert(6)"/><animate attributeName="href" values="javascript:alert(7)"/>
<linearGradient id="g"><stop offset="0" stop-color="blue"/></linearGradient><style>@import url(https://evil.example/x.css);</style></svg>`
	a := upload(t, base, "adminkey", "logo.svg", []byte(hostile))
	m := a.json(t)
	if a.Status != 200 || m["extension"] != "svg" || m["_isCroppable"] != false || m["width"] != nil {
		t.Fatalf("%d %s", a.Status, a.Body)
	}
	urls := m["_urls"].(map[string]any)
	if urls["max"] != urls["original"] || urls["one-sixth"] != urls["original"] {
		t.Errorf("an SVG's sizes are its original: %v", urls)
	}
	f := get(t, base, urls["original"].(string))
	low := strings.ToLower(f.Body)
	for _, bad := range []string{"script", "onload", "onclick", "javascript", "evil", "data:", "foreignobject", "<set", "<animate", "@import", "<a ", "<image"} {
		if strings.Contains(low, bad) {
			t.Errorf("%q survived:\n%s", bad, f.Body)
		}
	}
	for _, good := range []string{`viewBox="0 0 10 10"`, `<rect width="10" height="10" fill="url(#g)" style="fill:red">`, `xlink:href="#r"`, `<stop offset="0" stop-color="blue">`} {
		if !strings.Contains(f.Body, good) {
			t.Errorf("%q lost:\n%s", good, f.Body)
		}
	}
	if f.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(f.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("headers: %v", f.Header)
	}
	refusing := site(t, testkit.SQLite, `svg = "refuse"`)
	if a := upload(t, refusing, "adminkey", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)); a.Status != 400 {
		t.Errorf("svg = refuse: %d %s", a.Status, a.Body)
	}
}

// TestTraversal: a file name's directories are dropped, and no path
// under /uploads reaches outside the storage root (docs/api-rules.md#195).
func TestTraversal(t *testing.T) {
	base := site(t, testkit.SQLite, "")
	a := upload(t, base, "adminkey", "../../etc/passwd.png", pngOf(t, 4, 4))
	m := a.json(t)
	if a.Status != 200 || m["name"] != "passwd" {
		t.Fatalf("%d %s", a.Status, a.Body)
	}
	if a := upload(t, base, "adminkey", `..\..\windows\win.ini.txt`, []byte("x")); a.json(t)["name"] != "win-ini" {
		t.Errorf("backslashes: %s", a.Body)
	}
	for _, p := range []string{"/uploads/../../etc/passwd", "/uploads/attachments/..%2F..%2F..%2Fetc%2Fpasswd",
		"/uploads/attachments/%2e%2e/%2e%2e/config.toml", "/uploads/..%2Fauth.db", "/uploads/auth.db", "/uploads/.tmp/x",
		"/uploads/attachments/.put-1", "/uploads/attachments/", "/uploads/attachments/%00.png", "/uploads/attachments/..\\..\\auth.db"} {
		if f := get(t, base, p); f.Status != 404 {
			t.Errorf("GET %s: %d %.100s", p, f.Status, f.Body)
		}
	}
}

// TestRange: one byte range is 206, a range past the end 416.
func TestRange(t *testing.T) {
	base := site(t, testkit.SQLite, "")
	a := upload(t, base, "adminkey", "notes.txt", []byte("0123456789abcdef"))
	url := a.json(t)["_url"].(string)
	for _, c := range []struct {
		rng, body, contentRange string
		status                  int
	}{
		{"bytes=2-5", "2345", "bytes 2-5/16", 206},
		{"bytes=10-", "abcdef", "bytes 10-15/16", 206},
		{"bytes=-3", "def", "bytes 13-15/16", 206},
		{"bytes=14-99", "ef", "bytes 14-15/16", 206},
		{"bytes=16-", "", "bytes */16", 416},
		{"bytes=0-1,4-5", "0123456789abcdef", "", 200},
		{"items=1-2", "0123456789abcdef", "", 200},
	} {
		f := get(t, base, url, "Range", c.rng)
		if f.Status != c.status || f.Body != c.body || f.Header.Get("Content-Range") != c.contentRange {
			t.Errorf("%s: %d %q %q", c.rng, f.Status, f.Body, f.Header.Get("Content-Range"))
		}
	}
}
