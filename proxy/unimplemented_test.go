package proxy

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/tidwall/gjson"
)

// TestApostropheRoutes checks apostropheRoutes and pieceRoutes against
// Apostrophe's official OpenAPI description, so that the 501s cannot
// drift from it. On a mismatch it prints the lists to paste.
func TestApostropheRoutes(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("..", "e2e", "testdata", "apostrophecms-openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatal(err)
	}
	var desc struct {
		Paths      map[string]map[string]any `yaml:"paths"`
		Apostrophe struct {
			PieceTypes map[string][]string `yaml:"pieceTypes"`
		} `yaml:"x-apostrophe"`
	}
	if err := doc.GetSpecInfo().RootNode.Decode(&desc); err != nil {
		t.Fatal(err)
	}
	type route struct{ path, method string }
	var all []route
	for path, item := range desc.Paths {
		for _, m := range []string{"get", "put", "post", "patch", "delete", "head", "options", "trace"} {
			if _, ok := item[m]; ok {
				all = append(all, route{path, strings.ToUpper(m)})
			}
		}
	}
	// The piece routes: those every piece type of the description has.
	var pieces []route
	var types []string
	for _, list := range desc.Apostrophe.PieceTypes {
		types = append(types, list...)
	}
	if len(types) == 0 {
		t.Fatal("the description lists no piece types")
	}
	for _, r := range all {
		rest, ok := strings.CutPrefix(r.path, "/"+types[0])
		if !ok || rest != "" && rest[0] != '/' {
			continue
		}
		if !slices.ContainsFunc(types, func(typ string) bool {
			return !slices.Contains(all, route{"/" + typ + rest, r.method})
		}) {
			pieces = append(pieces, route{rest, r.method})
		}
	}
	format := func(rs []route) []string {
		slices.SortFunc(rs, func(a, b route) int { return cmp.Or(cmp.Compare(a.path, b.path), cmp.Compare(a.method, b.method)) })
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = strings.TrimSpace(r.method + " " + r.path)
		}
		return out
	}
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"apostropheRoutes", apostropheRoutes, format(all)},
		{"pieceRoutes", pieceRoutes, format(pieces)},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s does not match the description; it should be:\n%s", c.name, goList(c.want))
		}
	}
}

// goList writes a []string literal's lines.
func goList(items []string) string {
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "\t%q,\n", it)
	}
	return b.String()
}

// TestUnimplemented: the routes of Apostrophe's API that aposproxy does
// not serve are 501 unimplemented naming the route; other unknown routes
// stay 404 (docs/api-rules.md#65).
func TestUnimplemented(t *testing.T) {
	h := decodeServer(t)
	const ed = "editor-key"
	for _, c := range []struct {
		name, method, uri string
		status            int
		route             string // data.route of a 501
	}{
		{"an upload", "POST", "/api/v1/@apostrophecms/attachment/upload", 501, "POST /api/v1/@apostrophecms/attachment/upload"},
		{"a styles document by _id", "GET", "/api/v1/@apostrophecms/styles/abc%3Aen%3Apublished", 501, "GET /api/v1/@apostrophecms/styles/{_id}"},
		{"its HEAD", "HEAD", "/api/v1/@apostrophecms/styles/abc", 501, "GET /api/v1/@apostrophecms/styles/{_id}"},
		{"a password reset", "POST", "/api/v1/@apostrophecms/login/reset-request", 501, "POST /api/v1/@apostrophecms/login/reset-request"},
		{"an image's src", "GET", "/api/v1/@apostrophecms/image/abc/src", 501, "GET /api/v1/@apostrophecms/image/{imageId}/src"},
		{"under a locale prefix", "POST", "/fr/api/v1/@apostrophecms/attachment/crop", 501, "POST /api/v1/@apostrophecms/attachment/crop"},
		{"a piece route a type lacks", "POST", "/api/v1/category/1/share", 501, "POST /api/v1/category/{_id}/share"},
		{"another", "POST", "/api/v1/category/1/localize", 501, "POST /api/v1/category/{_id}/localize"},
		{"workflow of a type without drafts", "POST", "/api/v1/category/1/publish", 501, "POST /api/v1/category/{_id}/publish"},
		{"batch of a type without drafts", "POST", "/api/v1/category/publish", 501, "POST /api/v1/category/publish"},
		{"served routes are served", "GET", "/api/v1/@apostrophecms/i18n/locales", 200, ""},
		{"a missing document is 404", "GET", "/api/v1/product/P-9999", 404, ""},
		{"a method Apostrophe lacks", "DELETE", "/api/v1/@apostrophecms/attachment/upload", 404, ""},
		{"an unknown module", "GET", "/api/v1/@apostrophecms/nosuchmodule", 404, ""},
		{"an unknown type", "POST", "/api/v1/nosuchtype/x/share", 404, ""},
		{"outside the API", "GET", "/api/v2/@apostrophecms/page", 404, ""},
		{"too deep", "GET", "/api/v1/@apostrophecms/page/a/b/c/d", 404, ""},
		{"an empty segment is answered as its clean path", "GET", "/api/v1/@apostrophecms/styles//abc", 501, "GET /api/v1/@apostrophecms/styles/{_id}"},
		{"static segments are matched raw", "GET", "/api/v1/%40apostrophecms/page", 404, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := exchange(h, c.method, c.uri, ed, "")
			status, body := r.status, r.body
			if status != c.status {
				t.Fatalf("%d %s, want %d", status, body, c.status)
			}
			switch status {
			case 501:
				if gjson.Get(body, "name").Str != "unimplemented" || gjson.Get(body, "data.route").Str != c.route ||
					gjson.Get(body, "message").Str == "" {
					t.Fatalf("%s, want route %q", body, c.route)
				}
			case 404:
				if gjson.Get(body, "name").Str != "notfound" {
					t.Fatal(body)
				}
			}
		})
	}
	t.Run("a preflight of an unserved route is answered", func(t *testing.T) {
		r := exchange(h, "OPTIONS", "/api/v1/@apostrophecms/attachment/upload", "", "")
		status, hdr := r.status, r.header
		if status != 204 || string(hdr.Peek("Access-Control-Allow-Methods")) == "" {
			t.Fatalf("%d %s", status, hdr)
		}
		if status := exchange(h, "OPTIONS", "/api/v1/nosuch", "", "").status; status != 404 {
			t.Fatalf("preflight outside the API: %d", status)
		}
	})
}
