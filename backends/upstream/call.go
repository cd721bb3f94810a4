package upstream

import (
	"context"
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

// answer is a service's answer, copied out of fasthttp's buffers.
type answer struct {
	status int
	body   []byte
}

// failure is a call that got no usable answer: the error to return, and
// whether trying again may help.
type failure struct {
	sentinel  *apos.Error
	cause     error
	transient bool
}

func (f *failure) Error() string { return f.cause.Error() }

// do sends one request to uri (c.base followed by a path and query) and
// returns the service's answer, whatever its status. It fails with
// ErrBadGateway (unreachable, reset, 5xx, invalid JSON, oversized body),
// ErrTimeout (no answer before the earlier of ctx's deadline and the
// client's timeout) or ErrUnavailable (breaker open, pool exhausted). A GET
// that fails transiently is tried again up to c.retries times while time
// remains: at once (the service may have closed a pooled connection), then
// with exponential backoff.
func (c *Client) do(ctx context.Context, method string, uri, body []byte) (answer, error) {
	deadline := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	res, err := c.attempt(ctx, method, uri, body, deadline)
	var f *failure
	if err != nil && errors.As(err, &f) && f.transient && c.retries > 0 && method == fasthttp.MethodGet {
		res, err = backoff.Retry(ctx, func() (answer, error) {
			res, err := c.attempt(ctx, method, uri, body, deadline)
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
	if err == nil {
		return res, nil
	}
	if !errors.As(err, &f) {
		// backoff.Retry gave up because ctx ended while it waited.
		f = &failure{sentinel: apos.ErrTimeout, cause: err}
	}
	return answer{}, apos.Wrap(f.sentinel, "", fmt.Errorf("upstream %s: %s %s: %w", c.name, method, string(uri), f.cause))
}

// attempt makes one try through the circuit breaker; every failure is a
// *failure.
func (c *Client) attempt(ctx context.Context, method string, uri, body []byte, deadline time.Time) (answer, error) {
	if err := ctx.Err(); err != nil {
		return answer{}, &failure{sentinel: apos.ErrTimeout, cause: err}
	}
	var res answer
	_, err := c.breaker.Execute(func() (struct{}, error) {
		var err error
		res, err = c.roundTrip(method, uri, body, deadline)
		return struct{}{}, err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return answer{}, &failure{sentinel: apos.ErrUnavailable, cause: err}
	}
	return res, err
}

// roundTrip makes one attempt. Answers the breaker should count as the
// service failing (no answer, 5xx, garbage) are returned as a *failure.
func (c *Client) roundTrip(method string, uri, body []byte, deadline time.Time) (answer, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)

	req.Header.SetMethod(method)
	req.SetRequestURIBytes(uri)
	for _, h := range c.headers {
		req.Header.Set(h[0], h[1])
	}
	req.Header.Set(fasthttp.HeaderAccept, "application/json")
	if body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(body)
	}
	if err := c.hc.DoDeadline(req, resp, deadline); err != nil {
		return answer{}, classify(err)
	}
	res := answer{status: resp.StatusCode(), body: append([]byte(nil), resp.Body()...)}
	switch {
	case res.status >= 500:
		transient := res.status == fasthttp.StatusBadGateway || res.status == fasthttp.StatusServiceUnavailable ||
			res.status == fasthttp.StatusGatewayTimeout
		return answer{}, &failure{sentinel: apos.ErrBadGateway, cause: fmt.Errorf("status %d", res.status), transient: transient}
	case res.status < 300 && len(res.body) > 0 && !gjson.ValidBytes(res.body):
		return answer{}, &failure{sentinel: apos.ErrBadGateway, cause: fmt.Errorf("status %d with a body that is not JSON", res.status)}
	}
	return res, nil
}

// classify turns a transport error into a failure.
func classify(err error) *failure {
	var dial dialError
	switch {
	case errors.As(err, &dial), errors.Is(err, fasthttp.ErrDialTimeout):
		return &failure{sentinel: apos.ErrBadGateway, cause: err, transient: true}
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, os.ErrDeadlineExceeded):
		return &failure{sentinel: apos.ErrTimeout, cause: err}
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return &failure{sentinel: apos.ErrBadGateway, cause: err}
	case errors.Is(err, fasthttp.ErrNoFreeConns):
		return &failure{sentinel: apos.ErrUnavailable, cause: err}
	}
	// Refused, reset, closed mid-answer, malformed answer.
	return &failure{sentinel: apos.ErrBadGateway, cause: err, transient: true}
}
