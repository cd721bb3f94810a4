package attachments_test

import (
	"bytes"
	"image"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestUploadPNG uploads a PNG on each engine and reads every size back:
// Apostrophe's shape (docs/api-rules.md#190), its URL scheme, and the
// files served under /uploads.
func TestUploadPNG(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		base := site(t, e, "")
		a := upload(t, base, "adminkey", "Blue Box.png", pngOf(t, 1800, 300))
		if a.Status != 200 {
			t.Fatalf("upload: %d %s", a.Status, a.Body)
		}
		m := a.json(t)
		id, _ := m["_id"].(string)
		want := map[string]any{"group": "images", "name": "blue-box", "title": "blue box", "extension": "png",
			"type": "attachment", "width": 1800.0, "height": 300.0, "landscape": true, "_isCroppable": true}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s = %v, want %v", k, m[k], v)
			}
		}
		if len(id) != 24 || m["md5"] == "" || m["length"].(float64) < 100 || m["portrait"] != nil {
			t.Errorf("attachment: %s", a.Body)
		}
		urls := m["_urls"].(map[string]any)
		widths := map[string]int{"max": 1600, "full": 1140, "two-thirds": 760, "one-half": 570, "one-third": 380, "one-sixth": 190, "original": 1800}
		for size, w := range widths {
			url, _ := urls[size].(string)
			suffix := "." + size + ".png"
			if size == "original" {
				suffix = ".png"
			}
			if url != "http://localhost:3000/uploads/attachments/"+id+"-blue-box"+suffix {
				t.Errorf("_urls.%s = %q", size, url)
			}
			f := get(t, base, url)
			if f.Status != 200 || f.Header.Get("Content-Type") != "image/png" || f.Header.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.Contains(f.Header.Get("Cache-Control"), "max-age=31536000") || f.Header.Get("Content-Disposition") != "" {
				t.Fatalf("GET %s: %d %v", url, f.Status, f.Header)
			}
			cfg, _, err := image.DecodeConfig(strings.NewReader(f.Body))
			if err != nil || cfg.Width != w {
				t.Errorf("%s: %dx%d (%v), want width %d", size, cfg.Width, cfg.Height, err, w)
			}
		}
		if len(urls) != len(widths) {
			t.Errorf("_urls: %v", urls)
		}
		if !bytes.Equal([]byte(get(t, base, urls["original"].(string)).Body), pngOf(t, 1800, 300)) {
			t.Error("the original is not the uploaded file")
		}
	})
}
