package endpoint

import (
	"errors"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

func TestAPIKey(t *testing.T) {
	for _, tc := range []struct {
		name, query, header string
		want                string // "-" for none
	}{
		{"none", "", "", "-"},
		{"apikey first", "apikey=a&apiKey=b", "ApiKey c", "a"},
		{"then apiKey", "apiKey=b", "ApiKey c", "b"},
		{"then the header, any case", "", "APIKEY  c ", "c"},
		{"not a bearer token", "", "Bearer t", "-"},
		{"an empty parameter is a key", "apikey=", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ctx fasthttp.RequestCtx
			ctx.Request.SetRequestURI("/x?" + tc.query)
			if tc.header != "" {
				ctx.Request.Header.Set("Authorization", tc.header)
			}
			got, has := APIKey(&ctx), HasAPIKey(&ctx)
			if tc.want == "-" && (got != nil || has) || tc.want != "-" && (string(got) != tc.want || !has) {
				t.Fatalf("APIKey = %q (%v), want %q", got, has, tc.want)
			}
		})
	}
}

func TestJSONBody(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body string
		want                    string
		err                     error
	}{
		{"empty is an empty object", "application/json", "", "{}", nil},
		{"an object", "application/json", ` {"a":1} `, `{"a":1}`, nil},
		{"malformed", "application/json", `{"a":`, "", apos.ErrInvalid},
		{"not an object", "application/json", `[1]`, "", apos.ErrInvalid},
		{"a form is an object of strings", "application/x-www-form-urlencoded", "a=1&b=x", `{"a":"1","b":"x"}`, nil},
		{"a form that is plainly JSON", "application/x-www-form-urlencoded", `{"a":1}`, `{"a":1}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ctx fasthttp.RequestCtx
			ctx.Request.Header.SetContentType(tc.contentType)
			ctx.Request.SetBodyString(tc.body)
			got, err := JSONBody(&ctx)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || got.Raw != tc.want {
				t.Fatalf("got %s, %v; want %s", got.Raw, err, tc.want)
			}
		})
	}
}
