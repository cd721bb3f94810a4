package proxy

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"

	"github.com/valyala/fasthttp"
)

// headerRequestID names every answer's request id (docs/api-rules.md#66).
var headerRequestID = []byte("X-Request-Id")

// maxRequestIDLen bounds an incoming request id the proxy echoes.
const maxRequestIDLen = 128

// requestIDs gives each answer an X-Request-Id: the caller's own when it
// sent a usable one (a gateway's, so that logs on both sides meet), else a
// new one. A new id is this process's random prefix and a counter, made
// without allocating: it is unique across restarts and instances, and
// tells nothing a client could use.
type requestIDs struct {
	prefix []byte // 16 hex digits and "-", chosen once per process
	next   atomic.Uint64
}

// init chooses the process's prefix.
func (r *requestIDs) init() {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	r.prefix = append(hex.AppendEncode(nil, b[:]), '-')
}

// set sets the answer's X-Request-Id.
func (r *requestIDs) set(ctx *fasthttp.RequestCtx) {
	if in := ctx.Request.Header.PeekBytes(headerRequestID); validRequestID(in) {
		ctx.Response.Header.SetCanonical(headerRequestID, in)
		return
	}
	var buf [40]byte
	id := strconv.AppendUint(append(buf[:0], r.prefix...), r.next.Add(1), 36)
	ctx.Response.Header.SetCanonical(headerRequestID, id)
}

// validRequestID accepts ids of up to 128 letters, digits and ._:- (UUIDs,
// ULIDs, the ids of common gateways); anything else is replaced, so that
// no header or log line carries what a client chose to inject.
func validRequestID(id []byte) bool {
	if len(id) == 0 || len(id) > maxRequestIDLen {
		return false
	}
	for _, c := range id {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}
