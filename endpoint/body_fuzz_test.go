package endpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

// FuzzJSONBody reads any bytes as a request body, sent as JSON, as a
// form, or with any other Content-Type: JSONBody never panics, refuses
// only with a 400 invalid, and what it accepts is a JSON object that
// encoding/json reads too, so that every later reader sees the same
// document. A JSON body is taken as it was sent.
func FuzzJSONBody(f *testing.F) {
	for _, s := range []struct{ contentType, body string }{
		{"application/json", ""}, {"application/json", `{"a":1}`}, {"application/json", ` {"a":[1,{"b":null}]} `},
		{"application/json", `{"a":`}, {"application/json", `[1]`}, {"application/json", `"x"`}, {"application/json", `{"a":1}{"b":2}`},
		{"application/json", `{"title":"a","title":"b"}`}, {"application/json", "{\"a\":\"\xff\"}"}, {"application/json", "{\"a\":\"\x00\"}"},
		{"application/json", `{"a":"\ud800"}`}, {"application/json", `{"a":1e999}`}, {"application/json", `{"a":-0}`},
		{"application/json", `{"__proto__":{"x":1},"constructor":{"prototype":{"y":1}}}`},
		{"application/json", "{\"a\":" + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "}"},
		{"application/x-www-form-urlencoded", "a=1&b=x"}, {"application/x-www-form-urlencoded", `{"a":1}`},
		{"application/x-www-form-urlencoded", "a.b=1&a[c]=2&%ff=%fe&=x&%00=1&a=1&a=2"}, {"application/x-www-form-urlencoded", "*=1&#=2&a|b=3&@x=4"},
		{"application/x-www-form-urlencoded; charset=utf-8", "title=%27%20OR%201%3D1%20--"}, {"application/x-www-form-urlencoded", ""},
		{"text/plain", "a=1"}, {"", `{"a":1}`}, {"multipart/form-data; boundary=x", "--x\r\n\r\n--x--"},
	} {
		f.Add(s.contentType, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetContentType(contentType)
		ctx.Request.SetBody(body)
		got, err := JSONBody(&ctx)
		if err != nil {
			if !refusal(err) {
				t.Fatalf("%q %q: %T %v is not a 400 invalid for clients", contentType, body, err, err)
			}
			return
		}
		if !got.IsObject() || !json.Valid([]byte(got.Raw)) {
			t.Fatalf("%q %q: read as %q", contentType, body, got.Raw)
		}
		form := bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("application/x-www-form-urlencoded"))
		trimmed := bytes.TrimSpace(body)
		if !form && len(trimmed) > 0 && got.Raw != string(trimmed) {
			t.Fatalf("%q %q: read as %q", contentType, body, got.Raw)
		}
	})
}

// refusal reports whether err is a 400 invalid with a message for
// clients: a named error, or a validation error naming what is wrong.
func refusal(err error) bool {
	var v *apos.ValidationError
	if errors.As(err, &v) {
		for _, f := range v.Fields {
			if f.Code() != 400 {
				return false
			}
		}
		return len(v.Fields) > 0
	}
	var e *apos.Error
	return errors.As(err, &e) && e.Name == "invalid" && e.Message != ""
}
