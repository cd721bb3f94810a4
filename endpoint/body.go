package endpoint

import (
	"bytes"
	"strconv"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"github.com/valyala/fasthttp"
)

// JSONBody returns the request body as a JSON object. JSON is validated
// once here, by CheckJSON (syntax, UTF-8, depth, duplicate keys); a
// urlencoded form (which Apostrophe also accepts) becomes an
// object of strings; an empty body is an empty object. A body sent as a
// form that is plainly JSON (curl -d without a Content-Type) is read as
// JSON, so that it is not silently taken for a form with no fields.
// Malformed JSON, or JSON that is not an object, is a 400 invalid.
func JSONBody(ctx *fasthttp.RequestCtx) (gjson.Result, error) {
	b := bytes.TrimSpace(ctx.PostBody())
	isForm := bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("application/x-www-form-urlencoded"))
	if isForm && (len(b) == 0 || b[0] != '{') {
		return formBody(ctx.PostArgs())
	}
	if len(b) == 0 {
		return gjson.Parse("{}"), nil
	}
	if err := CheckJSON(b); err != nil {
		return gjson.Result{}, err
	}
	r := gjson.ParseBytes(b)
	if !r.IsObject() {
		return gjson.Result{}, apos.Errorf(apos.ErrInvalid, "The request body must be a JSON object.")
	}
	return r, nil
}

// formBody turns form fields into a JSON object of strings. A repeated
// key is refused, as in a JSON body. Keys are escaped, so a key that is
// no field is reported as an unknown field rather than read as a path.
func formBody(args *fasthttp.Args) (gjson.Result, error) {
	doc := []byte("{}")
	seen := make(map[string]struct{}, args.Len())
	for k, v := range args.All() {
		if _, dup := seen[string(k)]; dup {
			return gjson.Result{}, apos.Invalid(string(k), "invalid",
				"The key "+strconv.Quote(string(k))+" appears twice in the request body.")
		}
		seen[string(k)] = struct{}{}
		var err error
		if doc, err = sjson.SetBytes(doc, gjson.Escape(string(k)), string(v)); err != nil {
			return gjson.Result{}, errMalformed
		}
	}
	return gjson.ParseBytes(doc), nil
}
