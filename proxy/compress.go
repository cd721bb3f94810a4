package proxy

import (
	"bytes"
	"sync"

	"github.com/aposproxy/aposproxy/config"
	"github.com/valyala/fasthttp"
)

// compression compresses answers (server.compress, docs/api-rules.md#224):
// brotli or gzip, as the request's Accept-Encoding allows (q=0 refuses),
// a body of at least min bytes of a textual type, never an answer already
// encoded, streamed (the files under /uploads, which answer byte ranges
// of their stored bytes) or partial, nor a 304. A compressed answer's
// strong ETag gets the coding as a suffix ("<hash>-br"), which etag.matches
// takes for the same document, so If-None-Match and If-Match work with
// either tag.
//
// It uses fasthttp's encoders (klauspost/compress's gzip and
// andybalholm/brotli, pure Go, with pooled writers) but not its
// CompressHandler: that one compresses every application/* type (zip,
// pdf, octet-stream) and streamed bodies, has a fixed 200-byte threshold
// and leaves the ETag alone, so the same tag would name two different
// byte sequences.
type compression struct {
	min int
}

// newCompression is nil when server.compress is off.
func newCompression(s config.Server) *compression {
	if !s.Compress {
		return nil
	}
	return &compression{min: s.CompressMinBytes}
}

// The codings, best first, with the levels that keep a list answer cheap
// to encode (brotli 4 is fasthttp's default, about gzip 6 in speed).
var (
	codingBrotli = []byte("br")
	codingGzip   = []byte("gzip")
	varyCoding   = []byte(fasthttp.HeaderAcceptEncoding)
)

const (
	brotliLevel = fasthttp.CompressBrotliDefaultCompression
	gzipLevel   = fasthttp.CompressDefaultCompression
)

// answer compresses the response of ctx in place when it qualifies.
func (z *compression) answer(ctx *fasthttp.RequestCtx) {
	if z == nil {
		return
	}
	resp := &ctx.Response
	h := &resp.Header
	switch status := resp.StatusCode(); {
	case status == fasthttp.StatusNotModified:
		h.AddBytesV(fasthttp.HeaderVary, varyCoding) // as the 200 would say
		return
	case status < 200, status == fasthttp.StatusNoContent, status == fasthttp.StatusPartialContent:
		return
	}
	if resp.IsBodyStream() || len(h.ContentEncoding()) > 0 || len(h.Peek(fasthttp.HeaderContentRange)) > 0 ||
		!compressible(h.ContentType()) {
		return
	}
	body := resp.Body()
	if len(body) < z.min {
		return
	}
	h.AddBytesV(fasthttp.HeaderVary, varyCoding)
	req := &ctx.Request.Header
	var coding []byte
	buf := bodyPool.Get().(*[]byte)
	switch {
	case req.HasAcceptEncodingBytes(codingBrotli):
		coding, *buf = codingBrotli, fasthttp.AppendBrotliBytesLevel((*buf)[:0], body, brotliLevel)
	case req.HasAcceptEncodingBytes(codingGzip):
		coding, *buf = codingGzip, fasthttp.AppendGzipBytesLevel((*buf)[:0], body, gzipLevel)
	default:
		bodyPool.Put(buf)
		return
	}
	*buf = resp.SwapBody(*buf) // the response owns the compressed bytes, the pool the plain ones
	bodyPool.Put(buf)
	h.SetContentEncodingBytes(coding)
	if tag := h.Peek(fasthttp.HeaderETag); len(tag) > 2 && tag[0] == '"' {
		h.SetBytesV(fasthttp.HeaderETag, withCoding(tag, coding))
	}
}

// bodyPool recycles the buffers compressed bodies are written into.
var bodyPool = sync.Pool{New: func() any { return new([]byte) }}

// withCoding returns the strong tag "x" as "x-<coding>".
func withCoding(tag, coding []byte) []byte {
	out := make([]byte, 0, len(tag)+1+len(coding))
	out = append(out, tag[:len(tag)-1]...)
	out = append(out, '-')
	out = append(out, coding...)
	return append(out, '"')
}

// codedTwin reports whether tag is e with a coding suffix (withCoding):
// the tag of e's document sent compressed.
func codedTwin(tag, e []byte) bool {
	n := len(e) - 1 // e without its closing quote
	if len(tag) <= len(e) || !bytes.Equal(tag[:n], e[:n]) || tag[n] != '-' || tag[len(tag)-1] != '"' {
		return false
	}
	c := tag[n+1 : len(tag)-1]
	return bytes.Equal(c, codingBrotli) || bytes.Equal(c, codingGzip)
}

// compressible reports whether a content type is text that compresses:
// JSON, text, JavaScript, XML and SVG. Images, archives, PDFs, fonts and
// octet streams are compressed already or not worth it.
func compressible(ct []byte) bool {
	if i := bytes.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = bytes.TrimSpace(ct)
	switch {
	case bytes.HasPrefix(ct, []byte("text/")):
		return true
	case bytes.HasSuffix(ct, []byte("+json")), bytes.HasSuffix(ct, []byte("+xml")):
		return true
	}
	switch string(ct) {
	case "application/json", "application/javascript", "application/xml", "image/svg+xml":
		return true
	}
	return false
}
