package proxy

import (
	"io"

	"github.com/valyala/fasthttp"
)

// The server reads request bodies as streams (so that an upload is never
// held whole in memory); this file keeps server.max_body_bytes for every
// route that does not read its body as a stream itself (endpoint.Route
// StreamBody, such as the attachment upload, docs/api-rules.md#191).

// bodyWithinLimit answers 413 and returns false for a body over
// server.max_body_bytes on a route that does not stream its body: a
// declared length over it is refused before any byte of the body is
// read, a chunked body is read up to the limit. The connection is closed
// after a refusal, as the rest of the body is not read. A body within the
// limit is read whole here, so that the route finds it as it would
// without streaming (and fasthttp does not warn that Body reads a
// stream).
func (s *Server) bodyWithinLimit(ctx *fasthttp.RequestCtx) bool {
	if !ctx.Request.IsBodyStream() || s.streams[string(ctx.Path())] {
		return true
	}
	limit := s.cfg.Server.MaxBodyBytes
	n := ctx.Request.Header.ContentLength()
	if n > limit {
		s.refuseBody(ctx)
		return false
	}
	if n == 0 {
		ctx.Request.SetBody(nil)
		return true
	}
	read := int64(limit) + 1
	if n > 0 {
		read = int64(n) // the stream ends at the declared length
	}
	body, err := io.ReadAll(io.LimitReader(ctx.RequestBodyStream(), read))
	if err != nil || len(body) > limit {
		s.refuseBody(ctx)
		return false
	}
	ctx.Request.SetBody(body)
	return true
}

func (s *Server) refuseBody(ctx *fasthttp.RequestCtx) {
	ctx.SetConnectionClose()
	writeError(ctx, s.log, errTooLarge)
}
