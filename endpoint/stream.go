package endpoint

import "io"

// This file is what a route that moves files needs: the request body as a
// stream (for a Route with StreamBody) and a response body of its own.

// BodyStream returns the request body as a stream. Only a Route with
// StreamBody may receive a body larger than server.max_body_bytes; its
// handler bounds what it reads itself.
func (r *Request) BodyStream() io.Reader { return r.ctx.RequestBodyStream() }

// ContentLength is the request's Content-Length: -1 for a chunked body.
func (r *Request) ContentLength() int { return r.ctx.Request.Header.ContentLength() }

// Method is the request's method.
func (r *Request) Method() string { return string(r.ctx.Method()) }

// SetBody answers with body (of size bytes; -1 when unknown) and content
// type ct instead of a JSON body; the handler then returns a nil body.
// body is closed once sent when it is an io.Closer.
func (r *Request) SetBody(ct string, body io.Reader, size int) {
	r.ctx.SetContentType(ct)
	r.ctx.SetBodyStream(body, size)
}
