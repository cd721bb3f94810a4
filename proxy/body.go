package proxy

import (
	"bytes"
	"sync"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"github.com/valyala/fasthttp"
)

var errMalformed = apos.Errorf(apos.ErrInvalid, "The request body is not valid JSON.")

// jsonBody returns the request body as a JSON object. JSON is validated
// once here; a urlencoded form (which Apostrophe also accepts) becomes an
// object of strings; an empty body is an empty object. A body sent as a
// form that is plainly JSON (curl -d without a Content-Type) is read as
// JSON, so that it is not silently taken for a form with no fields.
func jsonBody(ctx *fasthttp.RequestCtx) (gjson.Result, error) {
	b := bytes.TrimSpace(ctx.PostBody())
	isForm := bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("application/x-www-form-urlencoded"))
	if isForm && (len(b) == 0 || b[0] != '{') {
		return formBody(ctx.PostArgs())
	}
	if len(b) == 0 {
		return gjson.Parse("{}"), nil
	}
	if !gjson.ValidBytes(b) {
		return gjson.Result{}, errMalformed
	}
	r := gjson.ParseBytes(b)
	if !r.IsObject() {
		return gjson.Result{}, apos.Errorf(apos.ErrInvalid, "The request body must be a JSON object.")
	}
	return r, nil
}

// formBody turns form fields into a JSON object of strings (the last value
// of a repeated key wins). Keys are escaped, so a key that is no field is
// reported as an unknown field rather than read as a path.
func formBody(args *fasthttp.Args) (gjson.Result, error) {
	doc := []byte("{}")
	var err error
	args.VisitAll(func(k, v []byte) {
		if err == nil {
			doc, err = sjson.SetBytes(doc, gjson.Escape(string(k)), string(v))
		}
	})
	if err != nil {
		return gjson.Result{}, errMalformed
	}
	return gjson.ParseBytes(doc), nil
}

// buffer is a pooled byte slice for rendering responses.
type buffer struct{ b []byte }

type bufferPool struct{ p sync.Pool }

var bufPool = &bufferPool{p: sync.Pool{New: func() any { return &buffer{b: make([]byte, 0, 4096)} }}}

func (p *bufferPool) get() *buffer { return p.p.Get().(*buffer) }

// put returns b to the pool unless it grew very large.
func (p *bufferPool) put(b *buffer) {
	if cap(b.b) <= 1<<20 {
		p.p.Put(b)
	}
}
