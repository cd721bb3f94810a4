package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// uploadPNG uploads a w×h PNG as the editor and returns the answer's
// attachment object.
func uploadPNG(t *testing.T, s *shop, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{200, uint8(x), uint8(y), 255})
		}
	}
	var pic, body bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "red box.png")
	_, _ = part.Write(pic.Bytes())
	_ = mw.Close()
	r := testkit.Do(t, "POST", s.base+"/@apostrophecms/attachment/upload", body.String(),
		append(testkit.APIKey(editorKey), "Content-Type", mw.FormDataContentType())...)
	if r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return r.Body
}

// TestAttachmentFields attaches an upload to the shop's product (a field
// the proxy keeps beside the legacy products table) and to Apostrophe's
// image piece type, on every engine.
func TestAttachmentFields(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		att := uploadPNG(t, s, 40, 30)
		id := gjson.Get(att, "_id").Str

		t.Run("product image written, read back annotated, published", func(t *testing.T) {
			r := s.do(t, "PATCH", "/product/P-1002:en:draft", editorKey, `{"image":`+att+`}`)
			expect(t, r, 200, "image._id", id, "title", gjson.Get(r.body, "title").Str)
			if full := gjson.Get(r.body, "image._urls.full").Str; !strings.HasSuffix(full, "/uploads/attachments/"+id+"-red-box.full.png") {
				t.Fatalf("image._urls.full = %q", full)
			}
			// The id alone is accepted too, and the read is the same.
			r2 := s.do(t, "PATCH", "/product/P-1002:en:draft", editorKey, `{"image":"`+id+`"}`)
			expect(t, r2, 200, "image._id", id, "image.width", "40", "image._isCroppable", "true", "modified", "true")
			expect(t, s.do(t, "GET", "/product/P-1002:en:draft", editorKey, ""), 200, "image._urls.original",
				gjson.Get(r.body, "image._urls.original").Str)
			// The published product has no image until the draft is published.
			expect(t, s.do(t, "GET", "/product/P-1002:en:published", "", ""), 200, "image", "null")
			expect(t, s.do(t, "POST", "/product/P-1002:en:draft/publish", editorKey, ""), 200, "image._id", id)
			expect(t, s.do(t, "GET", "/product/P-1002:en:published", "", ""), 200, "image._id", id)
			expect(t, s.do(t, "GET", "/product/P-1002:en:draft", editorKey, ""), 200, "modified", "false")
			// docIds name the draft and the published product.
			ids := gjson.Get(s.do(t, "GET", "/product/P-1002:en:draft", editorKey, "").body, "image.docIds").String()
			for _, want := range []string{`"P-1002:en:draft"`, `"P-1002:en:published"`} {
				if !strings.Contains(ids, want) {
					t.Fatalf("docIds %s lacks %s", ids, want)
				}
			}
		})

		t.Run("a page of products reads every image", func(t *testing.T) {
			r := s.do(t, "GET", "/product?_ids[]=P-1001:en:published&_ids[]=P-1002:en:published&_ids[]=P-1003:en:published", "", "")
			expect(t, r, 200, "results.#", "3", "results.0.image", "null", "results.1.image._id", id, "results.2.image", "null")
			// A projection without it leaves it out.
			r = s.do(t, "GET", "/product?_ids[]=P-1002:en:published&project[title]=1", "", "")
			if gjson.Get(r.body, "results.0.image").Exists() {
				t.Fatalf("projected out: %s", r.body)
			}
		})

		t.Run("unknown attachment refused", func(t *testing.T) {
			r := s.do(t, "PATCH", "/product/P-1003:en:draft", editorKey, `{"image":{"_id":"nosuchattachment"}}`)
			expect(t, r, 400, "name", "invalid", "data.errors.0.path", "image", "data.errors.0.name", "invalid")
			r = s.do(t, "PATCH", "/product/P-1003:en:draft", editorKey, `{"image":42}`)
			expect(t, r, 400, "name", "invalid", "data.errors.0.path", "image")
			expect(t, s.do(t, "GET", "/product/P-1003:en:draft", editorKey, ""), 200, "image", "null")
		})

		t.Run("image piece", func(t *testing.T) {
			r := s.do(t, "POST", "/@apostrophecms/image", editorKey, `{"title":"Red box","attachment":`+att+`}`)
			expect(t, r, 200, "type", "@apostrophecms/image", "aposMode", "published", "attachment._id", id,
				"attachment.group", "images")
			if gjson.Get(r.body, "attachment._urls.one-sixth").Str == "" {
				t.Fatalf("no _urls: %s", r.body)
			}
			pid := gjson.Get(r.body, "_id").Str
			expect(t, s.do(t, "GET", "/@apostrophecms/image/"+pid, "", ""), 200, "title", "Red box", "attachment._id", id)
			expect(t, s.do(t, "GET", "/@apostrophecms/image", "", ""), 200, "results.#", "1", "results.0.attachment.width", "40")
			expect(t, s.do(t, "POST", "/@apostrophecms/image", editorKey, `{"title":"None","attachment":"missing"}`), 400,
				"data.errors.0.path", "attachment")
			docIDs := gjson.Get(s.do(t, "GET", "/@apostrophecms/image/"+pid, "", "").body, "attachment.docIds").String()
			if !strings.Contains(docIDs, pid) {
				t.Fatalf("docIds %s lacks %s", docIDs, pid)
			}
		})

		t.Run("deleting the product drops it from docIds", func(t *testing.T) {
			expect(t, s.do(t, "DELETE", "/product/P-1002:en:draft", adminKey, ""), 200)
			r := s.do(t, "GET", "/@apostrophecms/image", "", "")
			if ids := gjson.Get(r.body, "results.0.attachment.docIds").String(); strings.Contains(ids, "P-1002") {
				t.Fatalf("docIds still name the deleted product: %s", ids)
			}
		})
	})
}
