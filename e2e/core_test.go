package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// TestCoreSurface drives the core modules the shop serves beside its own
// types, on every engine: users over the users table, the global
// document and the tags in the proxy's tables, the submitted-draft list,
// sharing a draft, and the locale routes.
func TestCoreSurface(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		t.Run("users", func(t *testing.T) { coreUsers(t, s) })
		t.Run("global", func(t *testing.T) { coreGlobal(t, s) })
		t.Run("tags", func(t *testing.T) { coreTags(t, s) })
		t.Run("review", func(t *testing.T) { coreReview(t, s) })
		t.Run("locales", func(t *testing.T) { coreLocales(t, s) })
	})
}

// noHash fails if an answer shows a password or a bcrypt hash.
func noHash(t *testing.T, r response) response {
	t.Helper()
	if strings.Contains(r.body, "$2a$") || strings.Contains(r.body, "password") {
		t.Fatalf("an answer shows a password: %s", r.body)
	}
	return r
}

// coreUsers: admin-only users whose password is hashed, never shown, and
// takes effect for logins at once.
func coreUsers(t *testing.T, s *shop) {
	const users = "/@apostrophecms/user"
	for _, key := range []string{"", guestKey, contributorKey, editorKey} {
		expect(t, s.do(t, "GET", users, key, ""), 404, "name", "notfound")
		expect(t, s.do(t, "POST", users, key, `{"username":"x","role":"guest","password":"p"}`), 404, "name", "notfound")
	}
	r := noHash(t, s.do(t, "GET", users, adminKey, ""))
	expect(t, r, 200, "results.#", "5", "results.0._id", "1", "results.0.username", "admin", "results.0.title", "admin",
		"results.0.type", "@apostrophecms/user", "results.0.role", "admin", "results.0.active", "true")
	noHash(t, s.do(t, "GET", users+"?project[password]=1&project[username]=1", adminKey, ""))
	r = noHash(t, s.do(t, "POST", users, adminKey, `{"title":"New Editor","username":"neweditor","email":"ne@shop.example","role":"editor","password":"first pass"}`))
	expect(t, r, 200, "username", "neweditor", "role", "editor", "active", "true")
	id := gjson.Get(r.body, "_id").Str

	r = s.do(t, "POST", loginPath+"/login", "", `{"username":"neweditor","password":"first pass"}`)
	expect(t, r, 200)
	token := gjson.Get(r.body, "token").Str
	expect(t, s.do(t, "POST", loginPath+"/whoami", "", "", testkit.Bearer(token)...), 200, "_id", id, "username", "neweditor")
	expect(t, s.do(t, "GET", "/product/P-1001:en:draft", "", "", testkit.Bearer(token)...), 200, "_edit", "true")

	// A new password logs the user out at once, and is the one that works.
	noHash(t, s.do(t, "PATCH", users+"/"+id, adminKey, `{"password":"second pass"}`))
	expect(t, s.do(t, "POST", loginPath+"/whoami", "", "", testkit.Bearer(token)...), 401, "name", "invalid")
	expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"neweditor","password":"first pass"}`), 400, "message", credentials)
	expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"neweditor","password":"second pass"}`), 200)

	// PUT as read keeps the password; deactivating stops logins.
	doc := s.do(t, "GET", users+"/"+id, adminKey, "").body
	doc, _ = setJSON(doc, "email", "ne2@shop.example")
	expect(t, noHash(t, s.do(t, "PUT", users+"/"+id, adminKey, doc)), 200, "email", "ne2@shop.example")
	expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"neweditor","password":"second pass"}`), 200)
	expect(t, noHash(t, s.do(t, "PATCH", users+"/"+id, adminKey, `{"active":false}`)), 200, "active", "false")
	expect(t, s.do(t, "POST", loginPath+"/login", "", `{"username":"neweditor","password":"second pass"}`), 400, "message", credentials)
	expect(t, s.do(t, "POST", users, adminKey, `{"username":"neweditor","role":"guest","password":"p"}`), 409, "name", "conflict")
	expect(t, s.do(t, "POST", users, adminKey, `{"username":"nopass","role":"guest"}`), 400, "data.errors.0.path", "password")
	expect(t, s.do(t, "DELETE", users+"/"+id, adminKey, ""), 200)
	expect(t, s.do(t, "GET", users+"/"+id, adminKey, ""), 404, "name", "notfound")
}

// coreGlobal: one global document per locale, with drafts and publishing.
func coreGlobal(t *testing.T, s *shop) {
	const global = "/@apostrophecms/global"
	expect(t, s.do(t, "GET", global, "", ""), 200, "results.#", "1", "results.0._id", "global:en:published", "results.0.footer", "null")
	expect(t, s.do(t, "GET", global+"?aposLocale=fr", "", ""), 200, "results.0._id", "global:fr:published")
	expect(t, s.do(t, "PATCH", global+"/global:en:draft", contributorKey, `{"footer":"© Shop","links":[{"label":"Blog"}]}`), 200,
		"footer", "© Shop", "modified", "true")
	expect(t, s.do(t, "GET", global, "", ""), 200, "results.0.footer", "null")
	expect(t, s.do(t, "POST", global+"/global:en:draft/publish", editorKey, ""), 200, "modified", "false")
	expect(t, s.do(t, "GET", global+"/global", "", ""), 200, "footer", "© Shop", "links.0.label", "Blog")
	expect(t, s.do(t, "GET", global+"?aposLocale=fr", "", ""), 200, "results.0.footer", "null")
	expect(t, s.do(t, "POST", global, adminKey, `{}`), 403, "name", "forbidden")
	expect(t, s.do(t, "DELETE", global+"/global:en:draft", adminKey, ""), 403, "name", "forbidden")
	expect(t, s.do(t, "POST", global+"/global/unpublish", adminKey, ""), 403, "name", "forbidden")
}

// coreTags: image and file tags, autopublished, per locale.
func coreTags(t *testing.T, s *shop) {
	for _, typ := range []string{"/@apostrophecms/image-tag", "/@apostrophecms/file-tag"} {
		expect(t, s.do(t, "POST", typ, contributorKey, `{"title":"x"}`), 403, "name", "forbidden")
		r := s.do(t, "POST", typ, editorKey, `{"title":"Summer Sale"}`)
		expect(t, r, 200, "title", "Summer Sale", "slug", "summer-sale", "aposLocale", "en:published")
		id := gjson.Get(r.body, "aposDocId").Str
		expect(t, s.do(t, "PATCH", typ+"/"+id+":en:draft", editorKey, `{"title":"Winter Sale"}`), 200, "modified", "false")
		expect(t, s.do(t, "GET", typ, "", ""), 200, "results.#", "1", "results.0.title", "Winter Sale")
		expect(t, s.do(t, "GET", typ+"?aposLocale=fr", "", ""), 200, "results.#", "0")
	}
}

// coreReview: the submitted drafts across types, and a shared draft read
// by anyone who has its key.
func coreReview(t *testing.T, s *shop) {
	const submitted = "/@apostrophecms/submitted-draft"
	expect(t, s.do(t, "PATCH", "/product/P-1002:en:draft", contributorKey, `{"price":4999}`), 200)
	expect(t, s.do(t, "POST", "/product/P-1002:en:draft/submit", contributorKey, ""), 200)
	expect(t, s.do(t, "POST", "/article/3:en:draft/submit", contributorKey, ""), 200)
	expect(t, s.do(t, "GET", submitted, "", ""), 404, "name", "notfound")
	expect(t, s.do(t, "GET", submitted, guestKey, ""), 404, "name", "notfound")
	r := s.do(t, "GET", submitted+"?aposMode=draft", editorKey, "")
	expect(t, r, 200, "pages", "1", "results.#", "2", "results.0._id", "3:en:draft", "results.0.type", "article",
		"results.1._id", "P-1002:en:draft", "results.1.price", "4999", "results.1.submitted.by", "System Task")
	expect(t, s.do(t, "GET", submitted, editorKey, ""), 200, "results.#", "0")

	r = s.do(t, "POST", "/product/P-1002:en:draft/share", contributorKey, `{"share":true}`)
	expect(t, r, 200, "_id", "P-1002:en:draft")
	key := gjson.Get(r.body, "aposShareKey").Str
	shared := "/product/P-1002?aposShareId=P-1002:en:draft&aposShareKey=" + key
	r = s.do(t, "GET", shared, "", "")
	expect(t, r, 200, "_id", "P-1002:en:published", "price", "4999")
	if gjson.Get(r.body, "submitted").Exists() || gjson.Get(r.body, "aposShareKey").Exists() {
		t.Fatalf("a shared read shows the draft's review members: %s", r.body)
	}
	expect(t, s.do(t, "GET", "/product/P-1002", "", ""), 200, "price", "4206")
	expect(t, s.do(t, "GET", "/product/P-1002?aposShareId=P-1002:en:draft&aposShareKey=nope", "", ""), 404, "name", "notfound")
	expect(t, s.do(t, "POST", "/product/P-1002:en:draft/share", contributorKey, `{"share":false}`), 200)
	expect(t, s.do(t, "GET", shared, "", ""), 404, "name", "notfound")
	expect(t, s.do(t, "POST", "/product/P-1002:en:draft/share", "", `{"share":true}`), 403, "name", "forbidden")
}

// coreLocales: a document in another locale, the locale switch, and which
// documents exist in a locale.
func coreLocales(t *testing.T, s *shop) {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.base + "/product/P-1004:en:published/locale/fr")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/api/v1/product/P-1004:fr:published" {
		t.Fatalf("locale route: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	expect(t, s.do(t, "GET", "/product/P-1004:en:published/locale/fr", "", ""), 200, "_id", "P-1004:fr:published", "title", "Table Lumineux")
	expect(t, s.do(t, "GET", "/product/P-1001/locale/fr", "", ""), 404, "name", "notfound")
	expect(t, s.do(t, "GET", "/product/P-1004/locale/zz", "", ""), 400, "name", "invalid")
	expect(t, s.do(t, "POST", "/@apostrophecms/i18n/locale", "", `{"locale":"fr","contextDocId":"P-1004:en:published"}`), 200,
		"redirectTo", "/api/v1/product/P-1004:fr:published")
	expect(t, s.do(t, "POST", "/@apostrophecms/i18n/locale", "", `{"locale":"xx"}`), 400, "name", "invalid")
	const exist = "/@apostrophecms/i18n/exist-in-locale"
	expect(t, s.do(t, "POST", exist, "", `{"ids":["P-1004"],"locale":"fr"}`), 404, "name", "notfound")
	expect(t, s.do(t, "POST", exist, guestKey, `{"ids":["P-1004:en:published","P-1001","global"],"locale":"fr"}`), 200,
		"originalLocaleIds", `["P-1004:en:published","global:en:published"]`,
		"newLocaleIds", `["P-1004:fr:published","global:fr:published"]`, "aposDocIds", `["P-1004","global"]`)
}
