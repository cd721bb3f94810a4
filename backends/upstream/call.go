package upstream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/cenkalti/backoff/v5"
	"github.com/sony/gobreaker/v2"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// request is one call to the service.
type request struct {
	method    string
	uri, body []byte // uri is c.base followed by a path and query
	// idemKey goes in the upstream's idempotency header on a write; the
	// client makes one when it is empty.
	idemKey string
	// header names an answer header to keep (a list's total), or "".
	header string
	// errs tells whether a 5xx answer is mapped to a client's error: the
	// request was bad, the service is healthy. Nil maps none. (A pointer,
	// not a method value, which would be allocated on every call.)
	errs *errorMap
	// hold makes a 2xx answer hold fasthttp's response, its body read
	// where fasthttp read it, instead of a copy: the caller releases it
	// (answer.release) once done with the body.
	hold bool
}

// write reports whether the request may change something.
func (r *request) write() bool {
	return r.method != fasthttp.MethodGet && r.method != fasthttp.MethodHead
}

// answer is a service's answer, copied out of fasthttp's buffers unless
// the request asked to hold them (resp is then set).
type answer struct {
	status int
	body   []byte
	header string // the value of request.header
	resp   *fasthttp.Response
}

// release gives a held response back to fasthttp, body included; it does
// nothing to an answer that holds none.
func (r *answer) release() {
	if r.resp != nil {
		fasthttp.ReleaseResponse(r.resp)
		r.resp, r.body = nil, nil
	}
}

// failure is a call that got no usable answer: the error to return,
// whether trying again may help, and whether the request may have reached
// the service.
type failure struct {
	sentinel  *apos.Error
	cause     error
	transient bool
	unsent    bool // nothing reached the service
	// res is an answer that counts as the service failing (an unmapped
	// 5xx): it is still the caller's to translate.
	res *answer
}

func (f *failure) Error() string { return f.cause.Error() }

// do sends r and returns the service's answer, whatever its status. It
// fails with ErrBadGateway (unreachable, reset, invalid JSON, oversized
// body), ErrTimeout (no answer before the earlier of ctx's deadline and
// the client's timeout) or ErrUnavailable (breaker open, pool exhausted).
// A read, or a write when the service honours idempotency keys, that
// fails transiently is tried again up to c.retries times while time
// remains, with exponential backoff.
func (c *Client) do(ctx context.Context, r *request) (answer, error) {
	deadline := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if r.write() && c.idemHeader != "" && r.idemKey == "" {
		r.idemKey = newIdempotencyKey()
	}
	res, err := c.attempt(ctx, r, deadline)
	if err != nil {
		if f := asFailure(err); f != nil && f.transient && c.retries > 0 && c.repeatable(r) {
			res, err = c.retry(ctx, r, deadline)
		}
	}
	c.stats.count(err)
	if err == nil {
		return res, nil
	}
	f := asFailure(err)
	if f == nil {
		// backoff.Retry gave up because ctx ended while it waited.
		f = &failure{sentinel: apos.ErrTimeout, cause: err, unsent: true}
	}
	if f.res != nil {
		return *f.res, nil
	}
	return answer{}, c.failed(r, f)
}

// asFailure is the *failure in err's chain, or nil. It is a function of
// its own so that the target errors.As needs is allocated only for an
// error, never on the path of a call that succeeded.
func asFailure(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	return nil
}

// repeatable reports whether r may be sent again after it may have
// reached the service: reads, and writes the service recognises by their
// idempotency key.
func (c *Client) repeatable(r *request) bool {
	return !r.write() || c.idemHeader != ""
}

// retry tries r again with backoff, after a transient failure.
func (c *Client) retry(ctx context.Context, r *request, deadline time.Time) (answer, error) {
	return backoff.Retry(ctx, func() (answer, error) {
		res, err := c.attempt(ctx, r, deadline)
		if f, ok := err.(*failure); ok && !f.transient {
			return res, backoff.Permanent(f)
		}
		return res, err
	},
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval:     50 * time.Millisecond,
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         time.Second,
		}),
		backoff.WithMaxTries(uint(c.retries)),
		backoff.WithMaxElapsedTime(time.Until(deadline)))
}

// failed is the error of a call that got no usable answer. A write that
// may have reached the service says so: retrying it blindly could do it
// twice.
func (c *Client) failed(r *request, f *failure) error {
	msg := ""
	if r.write() && !f.unsent {
		switch f.sentinel {
		case apos.ErrTimeout:
			msg = "The backend did not answer in time; the write may have happened. Read the document before trying again."
		case apos.ErrBadGateway:
			msg = "The connection to the backend failed after the write was sent; the write may have happened. Read the document before trying again."
		}
	}
	return apos.Wrap(f.sentinel, msg, fmt.Errorf("upstream %s: %s %s: %w", c.name, r.method, string(r.uri), f.cause))
}

// attempt makes one try through the circuit breaker, which counts only
// what says the service is unhealthy: no connection, no answer in time, a
// 5xx answer not mapped to a client's error, garbage. A 4xx answer, or a
// 5xx the type maps to a client's error, is a healthy service refusing a
// bad request. Every failure is a *failure.
func (c *Client) attempt(ctx context.Context, r *request, deadline time.Time) (answer, error) {
	if err := ctx.Err(); err != nil {
		return answer{}, &failure{sentinel: apos.ErrTimeout, cause: err, unsent: true}
	}
	var res answer
	err := c.breaker.execute(func() error {
		var err error
		res, err = c.send(r, deadline)
		if err == nil && res.status >= 500 && (r.errs == nil || !r.errs.clientError(res.status, res.body)) {
			// A copy, so that res itself stays on the stack on success.
			s, kept := res.status, res
			return &failure{sentinel: apos.ErrBadGateway, cause: fmt.Errorf("status %d", s), res: &kept,
				transient: s == fasthttp.StatusBadGateway || s == fasthttp.StatusServiceUnavailable || s == fasthttp.StatusGatewayTimeout}
		}
		return err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return answer{}, &failure{sentinel: apos.ErrUnavailable, cause: err, unsent: true}
	}
	return res, err
}

// send makes one round trip, sent again when the connection turns out to
// have been closed by the service before the request was written (nothing
// was sent, whatever the method), and once when the service closed it
// before answering a request that is safe to repeat.
func (c *Client) send(r *request, deadline time.Time) (answer, error) {
	for tries := 0; ; tries++ {
		res, err := c.roundTrip(r, deadline)
		f, ok := err.(*failure)
		switch {
		case !ok || tries >= c.maxConns:
			return res, err
		case errors.Is(f.cause, errIdleClosed):
		case tries == 0 && errors.Is(f.cause, fasthttp.ErrConnectionClosed) && c.repeatable(r):
			// The service closed the connection: it may have closed
			// the others too (liveConn).
			c.recheck.Store(time.Now().Add(recheckFor).UnixNano())
		default:
			return res, err
		}
	}
}

// roundTrip makes one attempt on one connection.
func (c *Client) roundTrip(r *request, deadline time.Time) (answer, error) {
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.Header.SetMethod(r.method)
	req.SetRequestURIBytes(r.uri)
	for _, h := range c.headers {
		req.Header.SetCanonical(h.key, h.value)
	}
	if r.write() && c.idemHeader != "" {
		req.Header.Set(c.idemHeader, r.idemKey)
	}
	if r.body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(r.body)
	}
	resp := fasthttp.AcquireResponse()
	if err := c.hc.DoDeadline(req, resp, deadline); err != nil {
		fasthttp.ReleaseResponse(resp)
		return answer{}, classify(err)
	}
	res := answer{status: resp.StatusCode(), body: resp.Body()}
	if r.header != "" {
		res.header = string(resp.Header.Peek(r.header))
	}
	if res.status < 300 && len(res.body) > 0 && !gjson.ValidBytes(res.body) {
		fasthttp.ReleaseResponse(resp)
		return answer{}, &failure{sentinel: apos.ErrBadGateway, cause: fmt.Errorf("status %d with a body that is not JSON", res.status)}
	}
	// Only a 2xx is held: every other answer may end up in an error,
	// which must not point into a released response.
	if r.hold && res.status >= 200 && res.status < 300 {
		res.resp = resp
		return res, nil
	}
	res.body = append([]byte(nil), res.body...)
	fasthttp.ReleaseResponse(resp)
	return res, nil
}

// classify turns a transport error into a failure.
func classify(err error) *failure {
	var dial dialError
	switch {
	case errors.Is(err, errIdleClosed):
		return &failure{sentinel: apos.ErrBadGateway, cause: err, transient: true, unsent: true}
	case errors.As(err, &dial), errors.Is(err, fasthttp.ErrDialTimeout):
		return &failure{sentinel: apos.ErrBadGateway, cause: err, transient: true, unsent: true}
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, os.ErrDeadlineExceeded):
		return &failure{sentinel: apos.ErrTimeout, cause: err}
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return &failure{sentinel: apos.ErrBadGateway, cause: err}
	case errors.Is(err, fasthttp.ErrNoFreeConns):
		return &failure{sentinel: apos.ErrUnavailable, cause: err, unsent: true}
	}
	// Refused, reset, closed mid-answer, malformed answer.
	return &failure{sentinel: apos.ErrBadGateway, cause: err, transient: true}
}

// newIdempotencyKey makes a key for a write that carries none.
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
