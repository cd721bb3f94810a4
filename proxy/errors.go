package proxy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

// statusOf is the one table from error names to HTTP statuses (Apostrophe's
// http module, plus the proxy's transport errors of docs/api-rules.md#46).
var statusOf = map[string]int{
	"invalid":       fasthttp.StatusBadRequest,
	"min":           fasthttp.StatusBadRequest,
	"max":           fasthttp.StatusBadRequest,
	"forbidden":     fasthttp.StatusForbidden,
	"notfound":      fasthttp.StatusNotFound,
	"conflict":      fasthttp.StatusConflict,
	"locked":        fasthttp.StatusConflict,
	"required":      fasthttp.StatusUnprocessableEntity,
	"unprocessable": fasthttp.StatusUnprocessableEntity,
	"unimplemented": fasthttp.StatusNotImplemented,
	"precondition":  fasthttp.StatusPreconditionFailed,
	"toolarge":      fasthttp.StatusRequestEntityTooLarge,
	"badgateway":    fasthttp.StatusBadGateway,
	"unavailable":   fasthttp.StatusServiceUnavailable,
	"timeout":       fasthttp.StatusGatewayTimeout,
	"toomany":       fasthttp.StatusTooManyRequests,
	"unauthorized":  fasthttp.StatusUnauthorized, // a bad bearer token
}

// wireName is the name clients see. The proxy's own transport names are
// answered with Apostrophe's generic "error" (and a conflict for 412), so
// that a client only ever meets Apostrophe's vocabulary.
var wireName = map[string]string{
	"precondition": "conflict",
	"toolarge":     "invalid",
	"badgateway":   "error",
	"unavailable":  "error",
	"timeout":      "error",
	"unauthorized": "invalid",
	"toomany":      "invalid",
}

// defaultMessage is the client message of the proxy's own names when the
// error carries none.
var defaultMessage = map[string]string{
	"precondition": "The document was changed since it was read (If-Match failed).",
	"toolarge":     "The request body is too large.",
	"badgateway":   "The backend is unreachable or answered badly.",
	"unavailable":  "The backend is unavailable; try again later.",
	"timeout":      "The backend did not answer in time.",
	"toomany":      "Too much is running; try again later.",
}

// jobsRetryAfter is the Retry-After, in seconds, of a job cap's 429: a guess, since
// work that holds a cap ends when it ends.
const jobsRetryAfter = "5"

// errTooLarge answers a body over the configured limit.
var errTooLarge = &apos.Error{Name: "toolarge"}

// writeError renders err as Apostrophe's {"name","data","message"} with the
// matching status. Unknown errors are logged with an id and masked.
func writeError(ctx *fasthttp.RequestCtx, log *slog.Logger, err error) {
	var verr *apos.ValidationError
	if errors.As(err, &verr) {
		writeValidation(ctx, verr)
		return
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = apos.Wrap(apos.ErrTimeout, "", err)
	}
	e, ok := apos.AsError(err)
	status, known := 0, false
	if ok {
		status, known = statusOf[e.Name]
	}
	if !known {
		id := errorID()
		if errorLines.allow(log) {
			log.Error("internal error", "error_id", id, "request_id", string(ctx.Response.Header.PeekBytes(headerRequestID)),
				"path", string(ctx.Path()), "err", err)
		}
		writeJSON(ctx, fasthttp.StatusInternalServerError,
			[]byte(`{"name":"error","data":{},"message":"An error occurred."}`))
		return
	}
	if e.Err != nil && errorLines.allow(log) {
		log.Warn("backend error", "name", e.Name, "request_id", string(ctx.Response.Header.PeekBytes(headerRequestID)),
			"path", string(ctx.Path()), "err", e.Err)
	}
	name := e.Name
	if w, ok := wireName[name]; ok {
		name = w
	}
	msg := e.Message
	if msg == "" {
		msg = defaultMessage[e.Name]
	}
	if msg == "" {
		msg = e.Name
	}
	if status == fasthttp.StatusTooManyRequests {
		ctx.Response.Header.Set(fasthttp.HeaderRetryAfter, jobsRetryAfter)
	}
	b := make([]byte, 0, 96)
	b = append(b, `{"name":`...)
	b = appendString(b, name)
	b = append(b, `,"data":`...)
	b = appendAny(b, e.Data)
	b = append(b, `,"message":`...)
	b = appendString(b, msg)
	b = append(b, '}')
	writeJSON(ctx, status, b)
}

// writeValidation renders Apostrophe's 400 invalid with data.errors[].
func writeValidation(ctx *fasthttp.RequestCtx, v *apos.ValidationError) {
	b := make([]byte, 0, 160)
	b = append(b, `{"name":"invalid","data":{"errors":[`...)
	for i, f := range v.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		msg := f.Msg
		if msg == "" {
			msg = f.Name
		}
		b = append(b, `{"name":`...)
		b = appendString(b, f.Name)
		b = append(b, `,"code":`...)
		b = appendInt(b, int64(f.Code()))
		b = append(b, `,"message":`...)
		b = appendString(b, msg)
		b = append(b, `,"data":{},"path":`...)
		b = appendString(b, f.Path)
		b = append(b, '}')
	}
	b = append(b, `]},"message":"invalid"}`...)
	writeJSON(ctx, fasthttp.StatusBadRequest, b)
}

// writeJSON sends body with status as application/json.
func writeJSON(ctx *fasthttp.RequestCtx, status int, body []byte) {
	ctx.SetStatusCode(status)
	ctx.SetContentTypeBytes(contentTypeJSON)
	ctx.SetBody(body)
}

var contentTypeJSON = []byte("application/json; charset=utf-8")

// errorID is a short random id that ties a masked 500 to its log line.
func errorID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
