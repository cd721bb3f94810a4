package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// TestCoreOpenAPI checks that the answers of the core modules' routes
// (users, global, tags, submitted drafts, share, i18n) fit Apostrophe's
// official OpenAPI description, as TestOpenAPI does for the login routes.
func TestCoreOpenAPI(t *testing.T) {
	t.Parallel()
	v := officialValidator(t)
	s := startShop(t, testkit.SQLite)
	tag := s.do(t, "POST", "/@apostrophecms/image-tag", editorKey, `{"title":"Sale"}`)
	tagID := gjson.Get(tag.body, "_id").Str
	s.do(t, "POST", "/product/P-1001:en:draft/submit", contributorKey, "")
	// errata are the routes the description cannot check, why, and what
	// is checked instead.
	errata := map[string]struct {
		why   string
		pairs []string
	}{
		"submitted drafts": {"its SubmittedDraft schema requires fields (content, author, status) that no Apostrophe document has: results are drafts of their own types",
			[]string{"pages", "1", "currentPage", "1", "results.0._id", "P-1001:en:draft", "results.0.type", "product", "results.0.submitted.by", "System Task"}},
		"switch locale": {"its pattern for redirectTo, ^/(?!/).*, uses a look-ahead that JSON Schema's regular expressions do not have",
			[]string{"redirectTo", "/"}},
	}
	for _, c := range []struct {
		name, method, path, key, body string
	}{
		{"users", "GET", "/@apostrophecms/user", adminKey, ""},
		{"user", "GET", "/@apostrophecms/user/2", adminKey, ""},
		{"create a user", "POST", "/@apostrophecms/user", adminKey, `{"title":"Ada","username":"ada","email":"ada@shop.example","password":"s3cret","role":"editor"}`},
		{"patch a user", "PATCH", "/@apostrophecms/user/2", adminKey, `{"email":"ed@shop.example"}`},
		{"global", "GET", "/@apostrophecms/global", "", ""},
		{"global by _id", "GET", "/@apostrophecms/global/global:en:published", "", ""},
		{"patch global", "PATCH", "/@apostrophecms/global/global:en:draft", editorKey, `{"footer":"x"}`},
		{"image tags", "GET", "/@apostrophecms/image-tag", "", ""},
		{"an image tag", "GET", "/@apostrophecms/image-tag/" + tagID, "", ""},
		{"file tags", "GET", "/@apostrophecms/file-tag", "", ""},
		{"submitted drafts", "GET", "/@apostrophecms/submitted-draft?aposMode=draft", editorKey, ""},
		{"share", "POST", "/@apostrophecms/global/global:en:draft/share", editorKey, `{"share":true}`},
		{"switch locale", "POST", "/@apostrophecms/i18n/locale", "", `{"locale":"fr"}`},
		{"exist in locale", "POST", "/@apostrophecms/i18n/exist-in-locale", editorKey, `{"ids":["P-1004"],"locale":"fr","mode":"published"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(t, c.method, c.path, c.key, c.body)
			if e, ok := errata[c.name]; ok {
				expect(t, r, 200, e.pairs...)
				return
			}
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			req, _ := http.NewRequest(c.method, "http://localhost:3000/api/v1"+c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			resp := &http.Response{StatusCode: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader([]byte(r.body))), Request: req}
			if ok, verrs := v.ValidateHttpResponse(req, resp); !ok {
				for _, e := range verrs {
					t.Errorf("%s: %s", e.Message, e.Reason)
				}
			}
		})
	}
}
