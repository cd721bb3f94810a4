package proxy

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/internal/testkit"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

func TestStackOrder(t *testing.T) {
	var ran []string
	mark := func(name string) stage {
		return func(next handler) handler {
			return func(c *call) error {
				ran = append(ran, name)
				return next(c)
			}
		}
	}
	h := stack(func(*call) error { ran = append(ran, "handler"); return nil }, mark("first"), mark("second"))
	if err := h(&call{}); err != nil || !slices.Equal(ran, []string{"first", "second", "handler"}) {
		t.Fatalf("ran %v, %v", ran, err)
	}
}

// TestPipeline checks the stages every route runs, in their order, on a
// type route and on an extra route (the locales route).
func TestPipeline(t *testing.T) {
	t.Setenv("SHOP_GUEST_APIKEY", "guest-key")
	t.Setenv("SHOP_EDITOR_APIKEY", "editor-key")
	cfg := shopConfig(t)
	cfg.Types["customer"].ViewRole = "editor"
	h := shopHandler(t, cfg)
	const locales = "/api/v1/@apostrophecms/i18n/locales"
	for _, tc := range []struct {
		name, method, uri, key string
		status                 int
		errName, cache         string
	}{
		{"bad credentials first", "GET", "/api/v1/customer?aposMode=draft", "nosuchkey", 403, "forbidden", ""},
		{"draft gate before the view role", "GET", "/api/v1/customer?aposMode=draft", "guest-key", 403, "forbidden", ""},
		{"below the view role", "GET", "/api/v1/customer", "guest-key", 404, "notfound", ""},
		{"draft gate on an _id", "GET", "/api/v1/product/P-1001:en:draft", "guest-key", 403, "forbidden", ""},
		{"draft gate on an extra route", "GET", locales + "?aposMode=draft", "", 403, "forbidden", ""},
		{"anonymous reads are cacheable", "GET", "/api/v1/product/P-1001", "", 200, "", ""},
		{"authenticated reads are not", "GET", "/api/v1/product/P-1001", "guest-key", 200, "", "no-store"},
		{"nor their HEAD", "HEAD", "/api/v1/product/P-1001", "guest-key", 200, "", "no-store"},
		{"nor on an extra route", "GET", locales, "guest-key", 200, "", "no-store"},
		{"nor its HEAD", "HEAD", locales, "guest-key", 200, "", "no-store"},
		{"errors are errors", "GET", "/api/v1/product/P-9999", "guest-key", 404, "notfound", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testkit.Call(h, tc.method, tc.uri, "", testkit.APIKey(tc.key)...)
			status, body := r.StatusCode(), r.Body()
			cache := string(r.Header.Peek(fasthttp.HeaderCacheControl))
			if status != tc.status || gjson.GetBytes(body, "name").Str != tc.errName || cache != tc.cache {
				t.Fatalf("%d %s, Cache-Control %q; want %d %q, %q", status, body, cache, tc.status, tc.errName, tc.cache)
			}
		})
	}
}

func TestDraftGate(t *testing.T) {
	contributor := &apos.Principal{Role: apos.Contributor, Via: "apikey"}
	for _, tc := range []struct {
		mode apos.Mode
		who  *apos.Principal
		want error
	}{
		{apos.Draft, apos.Nobody, apos.ErrForbidden},
		{apos.Draft, contributor, nil},
		{apos.Published, apos.Nobody, nil},
		{"", apos.Nobody, nil},
	} {
		if got := draftGate(tc.mode, tc.who); !errors.Is(got, tc.want) && got != tc.want {
			t.Errorf("%q by %v: %v, want %v", tc.mode, tc.who.Role, got, tc.want)
		}
	}
}

// TestIdempotencyKeyReachesTheBackend: a write's Idempotency-Key header is
// carried to the backend's context; reads, and keys no service could take
// (too long, with spaces or control bytes), are not.
func TestIdempotencyKeyReachesTheBackend(t *testing.T) {
	for _, tc := range []struct {
		method, key, want string
	}{
		{"POST", "k-123", "k-123"},
		{"PATCH", "3f2a:b", "3f2a:b"},
		{"DELETE", "k", "k"},
		{"GET", "k-123", ""},
		{"POST", "", ""},
		{"POST", "a b", ""},
		{"POST", "a\x01b", ""},
		{"POST", strings.Repeat("k", maxIdempotencyKey+1), ""},
	} {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod(tc.method)
		if tc.key != "" {
			ctx.Request.Header.Set("Idempotency-Key", tc.key)
		}
		got := adapters.IdempotencyKey(withIdempotencyKey(t.Context(), &ctx))
		if got != tc.want {
			t.Errorf("%s with %q: key %q, want %q", tc.method, tc.key, got, tc.want)
		}
	}
}
