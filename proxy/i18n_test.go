package proxy

import (
	"testing"

	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// localeServer serves the shop example on a fresh SQLite file, with a path
// prefix for French and a private Slovak locale (prefix /sk).
func localeServer(t *testing.T) fasthttp.RequestHandler {
	t.Helper()
	t.Setenv("SHOP_GUEST_APIKEY", "guest-key")
	t.Setenv("SHOP_EDITOR_APIKEY", "editor-key")
	return shopHandler(t, localeConfig(t))
}

// localeConfig is the shop's configuration with a path prefix for French
// and a private Slovak locale (prefix /sk).
func localeConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg := shopConfig(t)
	for i := range cfg.Locales.List {
		if cfg.Locales.List[i].Name == "fr" {
			cfg.Locales.List[i].Prefix = "/fr"
		}
	}
	cfg.Locales.List = append(cfg.Locales.List, config.Locale{Name: "sk", Label: "Slovenčina", Prefix: "/sk", Private: true})
	return cfg
}

// serve runs one GET through h and returns its status and body.
func serve(h fasthttp.RequestHandler, uri, apiKey string) (int, string) {
	r := testkit.Call(h, fasthttp.MethodGet, uri, "", testkit.APIKey(apiKey)...)
	return r.StatusCode(), string(r.Body())
}

func TestLocalePrefixes(t *testing.T) {
	h := localeServer(t)
	for _, tc := range []struct {
		name, uri, key string
		status         int
		path, want     string
	}{
		{"prefix picks the locale", "/fr/api/v1/product/P-1004", "", 200, "_id", "P-1004:fr:published"},
		{"prefix on a list", "/fr/api/v1/product?perPage=1", "", 200, "results.0.aposLocale", "fr:published"},
		{"the _id's locale beats the prefix", "/fr/api/v1/product/P-1004:en:published", "", 200, "_id", "P-1004:en:published"},
		{"aposLocale beats the prefix", "/fr/api/v1/product/P-1004?aposLocale=en", "", 200, "_id", "P-1004:en:published"},
		{"an unknown aposLocale falls back to the prefix", "/fr/api/v1/product/P-1004?aposLocale=zz", "", 200, "_id", "P-1004:fr:published"},
		{"no prefix, default locale", "/api/v1/product/P-1004", "", 200, "_id", "P-1004:en:published"},
		{"clients cannot pose as a prefix", "/api/v1/product/P-1004?" + prefixLocaleArg + "=fr", "", 200, "_id", "P-1004:en:published"},
		{"a prefix is a whole segment", "/frx/api/v1/product/P-1004", "", 404, "name", "notfound"},
		{"private locale by prefix, anonymous", "/sk/api/v1/product", "", 404, "name", "notfound"},
		{"private locale by parameter, anonymous", "/api/v1/product?aposLocale=sk:published", "", 404, "name", "notfound"},
		{"private locale in an _id, anonymous", "/api/v1/product/P-1004:sk:published", "", 404, "name", "notfound"},
		{"private locale, logged in", "/sk/api/v1/product?perPage=1", "guest-key", 200, "currentPage", "1"},
		{"bad credentials stay bad", "/sk/api/v1/product", "nosuchkey", 403, "name", "forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := serve(h, tc.uri, tc.key)
			if got := gjson.Get(body, tc.path).String(); status != tc.status || got != tc.want {
				t.Fatalf("%s: %d %s = %q, want %d %q; body %s", tc.uri, status, tc.path, got, tc.status, tc.want, body)
			}
		})
	}
}

func TestLocalesRoute(t *testing.T) {
	h := localeServer(t)
	for _, tc := range []struct {
		name, key, want string
	}{
		{"anonymous callers do not see private locales", "",
			`{"en":{"label":"English","direction":"ltr"},"fr":{"label":"Français","direction":"ltr","prefix":"/fr"}}`},
		{"editors see them all, and may edit", "editor-key",
			`{"en":{"label":"English","direction":"ltr","_edit":true},"fr":{"label":"Français","direction":"ltr","prefix":"/fr","_edit":true},` +
				`"sk":{"label":"Slovenčina","direction":"ltr","prefix":"/sk","private":true,"_edit":true}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := serve(h, "/api/v1/@apostrophecms/i18n/locales", tc.key)
			if status != 200 || body != tc.want {
				t.Fatalf("%d %s, want %s", status, body, tc.want)
			}
		})
	}
	status, body := serve(h, "/api/v1/product/P-1004/locales", "")
	if status != 200 || body != `{"results":[{"_id":"P-1004:en:published","aposLocale":"en:published"},{"_id":"P-1004:fr:published","aposLocale":"fr:published"}]}` {
		t.Fatalf("anonymous document locales: %d %s", status, body)
	}
}
