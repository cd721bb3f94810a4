package attachments_test

import (
	"image"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

const cropPath = "/api/v1/@apostrophecms/attachment/crop"

// TestCrop crops an image on each engine (docs/api-rules.md#197): the
// cropped sizes are served, a repeated crop is a no-op, and the
// refusals of §7.2.
func TestCrop(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		base := site(t, e, "")
		m := upload(t, base, "adminkey", "wide.png", pngOf(t, 1800, 300)).json(t)
		id := m["_id"].(string)
		body := `{"_id":"` + id + `","crop":{"top":10,"left":100,"width":1200,"height":200}}`
		for range 2 {
			if a := post(t, base+cropPath, "contribkey", "application/json", strings.NewReader(body)); a.Status != 200 || a.Body != "true" {
				t.Fatalf("crop: %d %s", a.Status, a.Body)
			}
		}
		annotated := strings.Replace(body, "}}", `},"annotate":true}`, 1)
		a := post(t, base+cropPath, "adminkey", "application/json", strings.NewReader(annotated))
		c := a.json(t)
		urls, _ := c["_urls"].(map[string]any)
		if a.Status != 200 || urls == nil || c["_crop"] == nil || len(c["crops"].([]any)) != 1 {
			t.Fatalf("annotate: %d %s", a.Status, a.Body)
		}
		for size, w := range map[string]int{"original": 1200, "full": 1140, "one-sixth": 190} {
			url := urls[size].(string)
			if !strings.Contains(url, "-wide.100.10.1200.200.") {
				t.Errorf("%s: %s", size, url)
			}
			f := get(t, base, url)
			cfg, _, err := image.DecodeConfig(strings.NewReader(f.Body))
			if f.Status != 200 || err != nil || cfg.Width != w {
				t.Errorf("GET %s: %d %v %dx%d", url, f.Status, err, cfg.Width, cfg.Height)
			}
		}
		if un := urls["uncropped"].(map[string]any); un["max"] != m["_urls"].(map[string]any)["max"] {
			t.Errorf("uncropped: %v", un)
		}
		svg := upload(t, base, "adminkey", "a.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)).json(t)["_id"].(string)
		for _, c := range []struct{ key, body, want string }{
			{"guestkey", body, `{"type":"forbidden","name":"forbidden","data":{},"message":"You do not have permission to upload a file"}`},
			{"adminkey", `{"_id":"` + id + `"}`, `{"name":"invalid","data":{},"message":"invalid"}`},
			{"adminkey", `{"_id":"` + id + `","crop":{"top":1,"left":1,"width":1}}`, `{"name":"invalid","data":{},"message":"invalid"}`},
			{"adminkey", `{"crop":{"top":1,"left":1,"width":1,"height":1}}`, `{"name":"invalid","data":{},"message":"invalid"}`},
			{"adminkey", `{"_id":"nosuchattachment","crop":{"top":1,"left":1,"width":1,"height":1}}`, `{"name":"notfound","data":{},"message":"notfound"}`},
			{"adminkey", `{"_id":"` + svg + `","crop":{"top":1,"left":1,"width":1,"height":1}}`, `{"name":"invalid","data":{},"message":"svg files cannot be cropped, do not present cropping UI for this type"}`},
			{"adminkey", `{"_id":"` + id + `","crop":{"top":0,"left":0,"width":99999,"height":10}}`, `{"name":"invalid","data":{},"message":"The crop is not inside the 1800×300 image."}`},
		} {
			if a := post(t, base+cropPath, c.key, "application/json", strings.NewReader(c.body)); a.Body != c.want {
				t.Errorf("%s: %d %s\nwant %s", c.body, a.Status, a.Body, c.want)
			}
		}
	})
}
