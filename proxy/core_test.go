package proxy

import (
	"context"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
	"golang.org/x/crypto/bcrypt"
)

// The API keys of coreServer, by role.
const (
	adminKey   = "admin-key"
	editorKey  = "editor-key"
	contribKey = "contrib-key"
	guestKey   = "guest-key"
)

// coreServer serves the shop (config.toml) on a fresh SQLite file with a
// key per role; edit may change the configuration first.
func coreServer(t *testing.T, edit func(*config.Config)) (fasthttp.RequestHandler, *config.Config) {
	t.Helper()
	t.Setenv("SHOP_ADMIN_APIKEY", adminKey)
	t.Setenv("SHOP_EDITOR_APIKEY", editorKey)
	t.Setenv("SHOP_CONTRIBUTOR_APIKEY", contribKey)
	t.Setenv("SHOP_GUEST_APIKEY", guestKey)
	cfg := shopConfig(t)
	if edit != nil {
		edit(cfg)
	}
	return shopHandler(t, cfg), cfg
}

// reply is one in-process exchange.
type reply struct {
	status int
	body   string
	header *fasthttp.ResponseHeader
}

// get reads path of a reply's JSON body.
func (r reply) get(path string) gjson.Result { return gjson.Get(r.body, path) }

// exchange sends one request through h with an API key (or none).
func exchange(h fasthttp.RequestHandler, method, uri, key, body string) reply {
	var headers []string
	if key != "" {
		headers = testkit.APIKey(key)
	}
	resp := testkit.Call(h, method, uri, body, headers...)
	return reply{resp.StatusCode(), string(resp.Body()), &resp.Header}
}

// want fails unless r has status and, for each path and value pair, that
// value at that path (gjson's String form).
func want(t *testing.T, what string, r reply, status int, pairs ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if got := r.get(pairs[i]).String(); got != pairs[i+1] {
			t.Fatalf("%s: %s = %q, want %q; body %s", what, pairs[i], got, pairs[i+1], r.body)
		}
	}
}

// noPassword fails if an answer shows a password or its hash.
func noPassword(t *testing.T, what string, r reply) {
	t.Helper()
	if strings.Contains(r.body, "password") || strings.Contains(r.body, "$2a$") || strings.Contains(r.body, "pw_hash") {
		t.Fatalf("%s shows a password: %s", what, r.body)
	}
}

// storedHash reads user id's password hash straight from the shop's
// users table.
func storedHash(t *testing.T, cfg *config.Config, id string) string {
	t.Helper()
	db, err := sqldb.Open(context.Background(), cfg.Databases["shop"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var hash string
	if err := db.QueryRow("SELECT pw_hash FROM users WHERE id = ?", id).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	return hash
}

const users = "/api/v1/@apostrophecms/user"

// TestUserPermissions: users are admin-only, on every route; below admin
// the type does not exist (404), as for any type a caller may not view.
func TestUserPermissions(t *testing.T) {
	h, _ := coreServer(t, nil)
	for _, key := range []string{"", guestKey, contribKey, editorKey} {
		for _, r := range []struct{ method, uri, body string }{
			{"GET", users, ""},
			{"GET", users + "/1", ""},
			{"POST", users, `{"username":"x","role":"guest","password":"p"}`},
			{"PATCH", users + "/2", `{"role":"admin"}`},
			{"PUT", users + "/2", `{"username":"editor","role":"admin"}`},
			{"DELETE", users + "/2", ""},
		} {
			want(t, r.method+" "+r.uri+" as "+key, exchange(h, r.method, r.uri, key, r.body), 404, "name", "notfound")
		}
	}
	r := exchange(h, "GET", users, adminKey, "")
	want(t, "admin list", r, 200, "results.#", "5", "results.0.username", "admin", "results.0._id", "1",
		"results.0.title", "admin", "results.0.role", "admin", "results.0.type", "@apostrophecms/user")
	if r.get("results.0.aposLocale").Exists() || r.get("results.0.aposMode").Exists() {
		t.Fatalf("users are not localized: %s", r.body)
	}
	noPassword(t, "admin list", r)
	want(t, "editor's role unchanged", exchange(h, "GET", users+"/2", adminKey, ""), 200, "role", "editor")
}

// TestUserPassword: a password is hashed with bcrypt when written, never
// shown (in documents, projections, choices) nor sorted on, and kept by
// writes that do not send one.
func TestUserPassword(t *testing.T) {
	h, cfg := coreServer(t, nil)
	r := exchange(h, "POST", users, adminKey, `{"title":"Ignored","username":"newbie","email":"n@shop.example","role":"editor","password":"s3cret pass"}`)
	want(t, "create", r, 200, "username", "newbie", "title", "newbie", "role", "editor", "active", "true")
	noPassword(t, "create", r)
	id := r.get("_id").Str
	hash := storedHash(t, cfg, id)
	if !strings.HasPrefix(hash, "$2a$") || bcrypt.CompareHashAndPassword([]byte(hash), []byte("s3cret pass")) != nil {
		t.Fatalf("stored %q is not the password's bcrypt hash", hash)
	}
	for _, uri := range []string{users + "/" + id, users + "?project[password]=1&project[title]=1", users + "?choices=password,role", users + "?password=x", users + "?search=2a"} {
		r := exchange(h, "GET", uri, adminKey, "")
		want(t, uri, r, 200)
		noPassword(t, uri, r)
	}
	want(t, "sort on the password", exchange(h, "GET", users+"?sort[password]=1", adminKey, ""), 400, "name", "invalid")

	// Sent back as read, without a password: the hash stays.
	doc := exchange(h, "GET", users+"/"+id, adminKey, "").body
	want(t, "PUT as read", exchange(h, "PUT", users+"/"+id, adminKey, doc), 200, "username", "newbie")
	want(t, "PATCH an empty password", exchange(h, "PATCH", users+"/"+id, adminKey, `{"password":"","email":"m@shop.example"}`), 200, "email", "m@shop.example")
	if storedHash(t, cfg, id) != hash {
		t.Fatal("a write without a password changed the hash")
	}
	r = exchange(h, "PATCH", users+"/"+id, adminKey, `{"password":"another one"}`)
	want(t, "PATCH the password", r, 200)
	noPassword(t, "PATCH the password", r)
	if h2 := storedHash(t, cfg, id); h2 == hash || bcrypt.CompareHashAndPassword([]byte(h2), []byte("another one")) != nil {
		t.Fatalf("PATCH stored %q", h2)
	}
	for _, tc := range []struct{ name, method, uri, body, field, err string }{
		{"no password", "POST", users, `{"username":"nopw","role":"guest"}`, "password", "required"},
		{"not a string", "PATCH", users + "/" + id, `{"password":12345678}`, "password", "invalid"},
		{"too long for bcrypt", "PATCH", users + "/" + id, `{"password":"` + strings.Repeat("x", 73) + `"}`, "password", "invalid"},
		{"unknown role", "PATCH", users + "/" + id, `{"role":"owner"}`, "role", "invalid"},
	} {
		want(t, tc.name, exchange(h, tc.method, tc.uri, adminKey, tc.body), 400,
			"data.errors.0.path", tc.field, "data.errors.0.name", tc.err)
	}
	want(t, "deactivate", exchange(h, "PATCH", users+"/"+id, adminKey, `{"active":false}`), 200, "active", "false")
	want(t, "duplicate username", exchange(h, "POST", users, adminKey, `{"username":"newbie","role":"guest","password":"p"}`), 409, "name", "conflict")
	want(t, "delete", exchange(h, "DELETE", users+"/"+id, adminKey, ""), 200)
	want(t, "deleted", exchange(h, "GET", users+"/"+id, adminKey, ""), 404, "name", "notfound")
}

const global = "/api/v1/@apostrophecms/global"

// TestGlobal: one global document per locale, made at start, with drafts
// and publishing; clients neither create, delete nor unpublish it.
func TestGlobal(t *testing.T) {
	h, _ := coreServer(t, nil)
	want(t, "anonymous list", exchange(h, "GET", global, "", ""), 200,
		"pages", "1", "currentPage", "1", "results.#", "1", "results.0._id", "global:en:published",
		"results.0.aposDocId", "global", "results.0.type", "@apostrophecms/global", "results.0.metaType", "doc")
	want(t, "in French", exchange(h, "GET", global+"?aposLocale=fr", "", ""), 200, "results.0._id", "global:fr:published")
	want(t, "by _id", exchange(h, "GET", global+"/global:fr:published", "", ""), 200, "aposLocale", "fr:published")
	want(t, "anonymous draft", exchange(h, "GET", global+"?aposMode=draft", "", ""), 403, "name", "forbidden")
	want(t, "anonymous write", exchange(h, "PATCH", global+"/global", "", `{"footer":"x"}`), 403, "name", "forbidden")
	r := exchange(h, "PATCH", global+"/global:en:draft", contribKey, `{"footer":"© Shop","links":[{"label":"Blog","url":"/blog"}]}`)
	want(t, "contributor patches the draft", r, 200, "footer", "© Shop", "modified", "true", "links.0.label", "Blog")
	if r.get("_delete").Exists() {
		t.Fatalf("a singleton cannot be deleted, so _delete must be absent: %s", r.body)
	}
	want(t, "published unchanged", exchange(h, "GET", global, "", ""), 200, "results.0.footer", "")
	want(t, "contributor cannot publish", exchange(h, "POST", global+"/global:en:draft/publish", contribKey, ""), 403, "name", "forbidden")
	want(t, "editor publishes", exchange(h, "POST", global+"/global:en:draft/publish", editorKey, ""), 200, "modified", "false")
	r = exchange(h, "GET", global, "", "")
	want(t, "published", r, 200, "results.0.footer", "© Shop")
	etag := string(r.header.Peek("ETag"))
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI(global)
	ctx.Request.Header.Set("If-None-Match", etag)
	h(&ctx)
	if ctx.Response.StatusCode() != 304 || etag == "" {
		t.Fatalf("If-None-Match %q: %d", etag, ctx.Response.StatusCode())
	}
	want(t, "PUT replaces", exchange(h, "PUT", global+"/global:en:draft", editorKey, `{"contactPage":"https://shop.example/contact"}`), 200,
		"contactPage", "https://shop.example/contact", "footer", "")
	for _, tc := range []struct{ name, method, uri string }{
		{"create", "POST", global},
		{"delete", "DELETE", global + "/global:en:draft"},
		{"unpublish", "POST", global + "/global:en:published/unpublish"},
	} {
		want(t, tc.name, exchange(h, tc.method, tc.uri, adminKey, "{}"), 403, "name", "forbidden")
	}
	want(t, "still one", exchange(h, "GET", global+"?aposMode=draft", adminKey, ""), 200, "results.#", "1")
}

// TestTags: image and file tags live in the proxy's tables, per locale,
// autopublished as in Apostrophe.
func TestTags(t *testing.T) {
	h, _ := coreServer(t, nil)
	const tags = "/api/v1/@apostrophecms/image-tag"
	want(t, "empty", exchange(h, "GET", tags, "", ""), 200, "pages", "0", "results.#", "0")
	want(t, "contributors write no live content", exchange(h, "POST", tags, contribKey, `{"title":"x"}`), 403, "name", "forbidden")
	want(t, "title required", exchange(h, "POST", tags, editorKey, `{}`), 400, "data.errors.0.path", "title")
	r := exchange(h, "POST", tags, editorKey, `{"title":"Summer Sale"}`)
	want(t, "create", r, 200, "title", "Summer Sale", "slug", "summer-sale", "aposLocale", "en:published", "type", "@apostrophecms/image-tag")
	id := r.get("aposDocId").Str
	want(t, "its draft", exchange(h, "GET", tags+"/"+id+":en:draft", contribKey, ""), 200, "title", "Summer Sale", "modified", "false")
	want(t, "a draft write is live", exchange(h, "PATCH", tags+"/"+id+":en:draft", editorKey, `{"title":"Winter Sale"}`), 200, "title", "Winter Sale")
	want(t, "live", exchange(h, "GET", tags+"/"+id, "", ""), 200, "title", "Winter Sale", "slug", "summer-sale") // a slug outlives title edits
	want(t, "not in French", exchange(h, "GET", tags+"/"+id+"?aposLocale=fr", "", ""), 404, "name", "notfound")
	want(t, "French tag", exchange(h, "POST", tags+"?aposLocale=fr", editorKey, `{"title":"Soldes"}`), 200, "aposLocale", "fr:published")
	want(t, "English list", exchange(h, "GET", tags, "", ""), 200, "results.#", "1", "results.0.title", "Winter Sale")
	want(t, "search", exchange(h, "GET", tags+"?aposLocale=fr&search=sold", "", ""), 200, "results.#", "1")
	want(t, "file tags are apart", exchange(h, "GET", "/api/v1/@apostrophecms/file-tag", "", ""), 200, "results.#", "0")
	want(t, "delete", exchange(h, "DELETE", tags+"/"+id, editorKey, ""), 200)
	want(t, "deleted", exchange(h, "GET", tags, "", ""), 200, "results.#", "0")
}
