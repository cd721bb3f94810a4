package upstream

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/config"
)

// Client is one pooled fasthttp client per [upstreams.<name>] entry, shared
// by every type on that service. It bounds each call by the connect, read
// and total timeouts and the caller's deadline, refuses bodies over
// max_body_bytes, closes connections idle for idle_timeout, sends a
// request again on a fresh connection when the service had closed the
// pooled one, retries reads (and writes carrying an idempotency key) with
// backoff, and puts a circuit breaker in front of the service that
// answers apos.ErrUnavailable (503) while open and lets one probe through
// after a cooldown.
type Client struct {
	name string
	base string // scheme://host[:port][/base/path], no trailing slash
	// headers are set on every call: the configured ones sorted by
	// name, then Accept.
	headers []header
	// idemHeader is the header of idempotency keys, or "" when the service
	// does not honour them.
	idemHeader string
	timeout    time.Duration
	retries    int
	maxConns   int
	hc         *fasthttp.HostClient
	breaker    *breaker
	stats      callStats
	// recheck is until when (Unix nanoseconds) every request checks its
	// pooled connection (liveConn).
	recheck *atomic.Int64
}

// NewClient returns the client of the upstream called name. u comes from
// config.Load, which checked it and set its defaults.
func NewClient(name string, u config.Upstream) (*Client, error) {
	p, err := url.Parse(u.URL)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	connect, timeout, read := u.ConnectTimeout.Duration, u.Timeout.Duration, u.ReadTimeout.Duration
	isTLS := p.Scheme == "https"
	recheck := new(atomic.Int64)
	c := &Client{
		name:       name,
		base:       p.Scheme + "://" + p.Host + strings.TrimSuffix(p.EscapedPath(), "/"),
		timeout:    timeout,
		retries:    u.Retries,
		maxConns:   u.MaxConns,
		idemHeader: u.IdempotencyHeader,
		recheck:    recheck,
		hc: &fasthttp.HostClient{
			Addr:  fasthttp.AddMissingPort(p.Host, isTLS),
			IsTLS: isTLS,
			Name:  "aposproxy",
			DialTimeout: func(addr string, limit time.Duration) (net.Conn, error) {
				if limit <= 0 || limit > connect {
					limit = connect
				}
				conn, err := net.DialTimeout("tcp", addr, limit)
				if err != nil {
					return nil, dialError{err}
				}
				return &liveConn{Conn: conn, recheck: recheck}, nil
			},
			MaxConns:            u.MaxConns,
			MaxIdleConnDuration: u.IdleTimeout.Duration,
			ReadTimeout:         read,
			WriteTimeout:        read,
			// Retries are ours (call.go): fasthttp would also resend
			// PUTs.
			MaxIdemponentCallAttempts: 1,
			MaxResponseBodySize:       u.MaxBodyBytes,
			MaxConnWaitTimeout:        timeout,
			DisablePathNormalizing:    true,
		},
	}
	for _, k := range slices.Sorted(maps.Keys(u.Headers)) {
		c.headers = append(c.headers, newHeader(k, u.Headers[k]))
	}
	c.headers = append(c.headers, newHeader(fasthttp.HeaderAccept, "application/json"))
	c.breaker = newBreaker(name, u.BreakerFailures, u.BreakerCooldown.Duration)
	return c, nil
}

// Close closes the client's idle connections. Calls in flight finish; the
// client must not be used afterwards.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// header is a header of every call, its name in fasthttp's canonical form
// already, so that setting it costs no normalization on each call.
type header struct{ key, value []byte }

func newHeader(name, value string) header {
	return header{key: fasthttp.AppendNormalizedHeaderKey(nil, name), value: []byte(value)}
}

// dialError marks a failure to connect, which is a bad gateway (502) even
// when it is the connect timeout that expired.
type dialError struct{ err error }

func (e dialError) Error() string { return "connect: " + e.err.Error() }
func (e dialError) Unwrap() error { return e.err }
