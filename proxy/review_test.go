package proxy

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/config"
)

// TestShare: a draft's share key lets anyone read that draft, shown as
// its published document, until the grant is removed or expires.
func TestShare(t *testing.T) {
	h, _ := coreServer(t, nil)
	const p = "/api/v1/product/P-1001"
	want(t, "edit the draft", exchange(h, "PATCH", p+":en:draft", contribKey, `{"price":111}`), 200, "modified", "true")
	want(t, "submit it", exchange(h, "POST", p+":en:draft/submit", contribKey, ""), 200)
	for _, tc := range []struct {
		name, uri, key string
		status         int
	}{
		{"anonymous", p + ":en:draft/share", "", 403},
		{"a guest", p + ":en:draft/share", guestKey, 403},
		{"a published _id", p + ":en:published/share", contribKey, 404},
		{"a bare aposDocId (published mode)", p + "/share", contribKey, 404},
		{"a draft that does not exist", "/api/v1/product/P-9999:en:draft/share", contribKey, 404},
	} {
		want(t, "share as "+tc.name, exchange(h, "POST", tc.uri, tc.key, `{"share":true}`), tc.status)
	}
	r := exchange(h, "POST", p+"/share?aposMode=draft", contribKey, `{"share":true}`)
	want(t, "share", r, 200, "_id", "P-1001:en:draft", "price", "111")
	key := r.get("aposShareKey").Str
	if len(key) != 32 || !r.get("aposShareExpiresAt").Exists() {
		t.Fatalf("share: no key or expiry: %s", r.body)
	}
	want(t, "the draft shows its key", exchange(h, "GET", p+":en:draft", editorKey, ""), 200, "aposShareKey", key)

	shared := p + "?aposShareId=P-1001:en:draft&aposShareKey=" + key
	r = exchange(h, "GET", shared, "", "")
	want(t, "shared read", r, 200, "_id", "P-1001:en:published", "aposMode", "published", "price", "111", "title", "Nordic Sofa")
	for _, hidden := range []string{"submitted", "aposShareKey", "aposShareExpiresAt", "modified", "_edit"} {
		if r.get(hidden).Exists() {
			t.Fatalf("a shared read shows %s: %s", hidden, r.body)
		}
	}
	if cc := string(r.header.Peek("Cache-Control")); cc != "no-store" {
		t.Fatalf("a shared read is cached: %q", cc)
	}
	want(t, "published unchanged", exchange(h, "GET", p, "", ""), 200, "price", "5259")
	want(t, "shared read by the draft _id", exchange(h, "GET", p+":en:draft?aposShareId=P-1001:en:draft&aposShareKey="+key, "", ""), 200, "price", "111")
	want(t, "a logged-in reader sees it as anyone", exchange(h, "GET", shared, editorKey, ""), 200, "price", "111")
	for _, tc := range []struct{ name, uri string }{
		{"wrong key", p + "?aposShareId=P-1001:en:draft&aposShareKey=" + strings.Repeat("a", 32)},
		{"no key", p + "?aposShareId=P-1001:en:draft&aposShareKey="},
		{"no id", p + "?aposShareKey=" + key},
		{"another document", "/api/v1/product/P-1002?aposShareId=P-1001:en:draft&aposShareKey=" + key},
		{"the published _id", p + "?aposShareId=P-1001:en:published&aposShareKey=" + key},
		{"another locale", p + "?aposShareId=P-1001:fr:draft&aposShareKey=" + key},
		{"another type", "/api/v1/article/P-1001?aposShareId=P-1001:en:draft&aposShareKey=" + key},
	} {
		want(t, tc.name, exchange(h, "GET", tc.uri, "", ""), 404, "name", "notfound")
	}
	r = exchange(h, "POST", p+":en:draft/share", contribKey, `{"share":false}`)
	want(t, "unshare", r, 200, "_id", "P-1001:en:draft")
	if r.get("aposShareKey").Exists() {
		t.Fatalf("unshare keeps the key: %s", r.body)
	}
	want(t, "revoked", exchange(h, "GET", shared, "", ""), 404, "name", "notfound")
	r = exchange(h, "POST", p+":en:draft/share", contribKey, `{"share":"yes"}`)
	want(t, "share again", r, 200)
	if r.get("aposShareKey").Str == key {
		t.Fatal("a new grant reuses the old key")
	}
	want(t, "the old key stays revoked", exchange(h, "GET", shared, "", ""), 404)

	// An overlay type's draft, which lives in the proxy's tables.
	r = exchange(h, "POST", "/api/v1/article/3:en:draft/share", editorKey, `{"share":true}`)
	want(t, "share an article", r, 200)
	want(t, "read the shared article", exchange(h, "GET", "/api/v1/article/3?aposShareId=3:en:draft&aposShareKey="+r.get("aposShareKey").Str, "", ""), 200, "_id", "3:en:published")
	want(t, "no share route without drafts", exchange(h, "POST", "/api/v1/category/1/share", adminKey, `{"share":true}`), 501, "name", "unimplemented")
}

// TestShareExpires: a grant past its lifetime reads nothing.
func TestShareExpires(t *testing.T) {
	h, _ := coreServer(t, func(c *config.Config) { c.Auth.ShareLifetime.Duration = 1 })
	r := exchange(h, "POST", "/api/v1/product/P-1001:en:draft/share", contribKey, `{"share":true}`)
	want(t, "share", r, 200)
	want(t, "expired", exchange(h, "GET", "/api/v1/product/P-1001?aposShareId=P-1001:en:draft&aposShareKey="+r.get("aposShareKey").Str, "", ""), 404)
}

const submitted = "/api/v1/@apostrophecms/submitted-draft"

// TestSubmittedDrafts: the drafts awaiting review across types, for
// callers with view-draft, in draft mode, newest submission first.
func TestSubmittedDrafts(t *testing.T) {
	h, _ := coreServer(t, nil)
	want(t, "submit a product", exchange(h, "POST", "/api/v1/product/P-1001:en:draft/submit", contribKey, ""), 200)
	want(t, "submit an article", exchange(h, "POST", "/api/v1/article/3:en:draft/submit", editorKey, ""), 200)
	want(t, "submit the French global", exchange(h, "POST", "/api/v1/@apostrophecms/global/global:fr:draft/submit", contribKey, ""), 200)
	want(t, "anonymous", exchange(h, "GET", submitted, "", ""), 404, "name", "notfound")
	want(t, "anonymous in draft mode", exchange(h, "GET", submitted+"?aposMode=draft", "", ""), 403, "name", "forbidden")
	want(t, "a guest", exchange(h, "GET", submitted, guestKey, ""), 404, "name", "notfound")
	want(t, "published mode lists no drafts", exchange(h, "GET", submitted, editorKey, ""), 200, "pages", "0", "results.#", "0")
	r := exchange(h, "GET", submitted+"?aposMode=draft", editorKey, "")
	want(t, "editor", r, 200, "pages", "1", "currentPage", "1", "results.#", "2",
		"results.0._id", "3:en:draft", "results.0.type", "article", "results.0.submitted.by", "System Task",
		"results.1._id", "P-1001:en:draft", "results.1.type", "product", "results.1._edit", "true")
	want(t, "French", exchange(h, "GET", submitted+"?aposLocale=fr:draft", editorKey, ""), 200, "results.#", "1", "results.0._id", "global:fr:draft")
	want(t, "count", exchange(h, "GET", submitted+"?aposMode=draft&count=1", editorKey, ""), 200, "count", "2")
	want(t, "one type", exchange(h, "GET", submitted+"?aposMode=draft&_type=product", editorKey, ""), 200, "results.#", "1", "results.0.type", "product")
	want(t, "paged", exchange(h, "GET", submitted+"?aposMode=draft&perPage=1&page=2", editorKey, ""), 200, "pages", "2", "currentPage", "2", "results.0._id", "P-1001:en:draft")
	// API keys have no user id: a contributor's key sees the submissions
	// made without one, as Apostrophe matches submitted.byId.
	want(t, "contributor", exchange(h, "GET", submitted+"?aposMode=draft", contribKey, ""), 200, "results.#", "2")
	want(t, "dismiss", exchange(h, "POST", "/api/v1/article/3:en:draft/dismiss-submission", editorKey, ""), 200)
	want(t, "publish", exchange(h, "POST", "/api/v1/product/P-1001:en:draft/publish", editorKey, ""), 200)
	want(t, "reviewed", exchange(h, "GET", submitted+"?aposMode=draft", editorKey, ""), 200, "results.#", "0")
}

// TestDocInLocale: GET :_id/locale/:toLocale redirects to the document in
// the other locale.
func TestDocInLocale(t *testing.T) {
	h, _ := coreServer(t, func(c *config.Config) {
		c.Locales.List = append(c.Locales.List, config.Locale{Name: "sk", Label: "Slovenčina", Private: true})
	})
	r := exchange(h, "GET", "/api/v1/product/P-1004:en:published/locale/fr", "", "")
	want(t, "to French", r, 302, "_id", "P-1004:fr:published")
	if loc := string(r.header.Peek("Location")); loc != "/api/v1/product/P-1004:fr:published" {
		t.Fatalf("Location %q", loc)
	}
	r = exchange(h, "GET", "/api/v1/product/P-1004/locale/fr?aposMode=draft", editorKey, "")
	want(t, "a draft", r, 302, "_id", "P-1004:fr:draft")
	want(t, "a draft for anonymous callers", exchange(h, "GET", "/api/v1/product/P-1004:en:draft/locale/fr", "", ""), 403, "name", "forbidden")
	want(t, "unknown locale", exchange(h, "GET", "/api/v1/product/P-1004/locale/zz", "", ""), 400, "name", "invalid", "message", "invalid locale name")
	want(t, "private locale, anonymous", exchange(h, "GET", "/api/v1/product/P-1004/locale/sk", "", ""), 400, "name", "invalid")
	want(t, "private locale, logged in", exchange(h, "GET", "/api/v1/product/P-1004/locale/sk", guestKey, ""), 404, "name", "notfound")
	want(t, "not in that locale", exchange(h, "GET", "/api/v1/product/P-1001/locale/fr", "", ""), 404, "name", "notfound")
	want(t, "no such document", exchange(h, "GET", "/api/v1/product/P-9999/locale/fr", "", ""), 404, "name", "notfound")
	want(t, "an unlocalized type", exchange(h, "GET", "/api/v1/category/1/locale/fr", "", ""), 404, "name", "notfound")
	want(t, "global", exchange(h, "GET", "/api/v1/@apostrophecms/global/global/locale/fr", "", ""), 302, "_id", "global:fr:published")
}

// TestI18nRoutes: switching locale, and which documents exist in one.
func TestI18nRoutes(t *testing.T) {
	h, _ := coreServer(t, func(c *config.Config) {
		for i := range c.Locales.List {
			if c.Locales.List[i].Name == "fr" {
				c.Locales.List[i].Prefix = "/fr"
			}
		}
	})
	const locale, exist = "/api/v1/@apostrophecms/i18n/locale", "/api/v1/@apostrophecms/i18n/exist-in-locale"
	want(t, "home of a locale", exchange(h, "POST", locale, "", `{"locale":"fr"}`), 200, "redirectTo", "/fr")
	want(t, "home without a prefix", exchange(h, "POST", locale, "", `{"locale":"en"}`), 200, "redirectTo", "/")
	want(t, "a document", exchange(h, "POST", locale, "", `{"locale":"fr","contextDocId":"P-1004:en:published"}`), 200,
		"redirectTo", "/api/v1/product/P-1004:fr:published")
	want(t, "a document not in that locale", exchange(h, "POST", locale, "", `{"locale":"fr","contextDocId":"P-1001"}`), 200, "redirectTo", "/fr")
	want(t, "unknown locale", exchange(h, "POST", locale, "", `{"locale":"zz"}`), 400, "name", "invalid")
	want(t, "no locale", exchange(h, "POST", locale, "", `{}`), 400, "name", "invalid")

	want(t, "anonymous", exchange(h, "POST", exist, "", `{"ids":["P-1004"],"locale":"fr"}`), 404, "name", "notfound")
	r := exchange(h, "POST", exist, guestKey, `{"ids":["P-1004:en:published","P-1001","nope:x",42,"P-1004","global"],"locale":"fr"}`)
	want(t, "a guest", r, 200, "originalLocaleIds", `["P-1004:en:published","global:en:published"]`,
		"newLocaleIds", `["P-1004:fr:published","global:fr:published"]`, "aposDocIds", `["P-1004","global"]`)
	want(t, "mode of the request", exchange(h, "POST", exist+"?aposMode=draft", editorKey, `{"ids":["P-1004"],"locale":"fr"}`), 200,
		"originalLocaleIds", `["P-1004:en:draft"]`, "newLocaleIds", `["P-1004:fr:draft"]`)
	want(t, "mode of the body", exchange(h, "POST", exist, editorKey, `{"ids":["P-1004:en:published"],"locale":"fr","mode":"draft"}`), 200,
		"originalLocaleIds", `["P-1004:en:published"]`, "newLocaleIds", `["P-1004:fr:draft"]`)
	want(t, "drafts need view-draft", exchange(h, "POST", exist, guestKey, `{"ids":["P-1004"],"locale":"fr","mode":"draft"}`), 403, "name", "forbidden")
	want(t, "a bogus mode finds nothing", exchange(h, "POST", exist, guestKey, `{"ids":["P-1004"],"locale":"fr","mode":"previous"}`), 200, "aposDocIds", "[]")
	want(t, "no ids", exchange(h, "POST", exist, guestKey, `{"locale":"fr"}`), 200, "aposDocIds", "[]")
	want(t, "unknown locale", exchange(h, "POST", exist, guestKey, `{"ids":["P-1004"],"locale":"zz"}`), 400, "name", "invalid")
	var ids []string
	for i := 0; i <= maxExistIDs; i++ {
		ids = append(ids, `"id`+strconv.Itoa(i)+`"`)
	}
	want(t, "too many ids", exchange(h, "POST", exist, guestKey, `{"locale":"fr","ids":[`+strings.Join(ids, ",")+`]}`), 400, "name", "invalid")
	ids[maxExistIDs] = ids[0]
	want(t, "an id twice counts once", exchange(h, "POST", exist, guestKey, `{"locale":"fr","ids":[`+strings.Join(ids, ",")+`]}`), 200)
}
