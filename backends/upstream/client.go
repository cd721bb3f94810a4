package upstream

import (
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/config"
)

// The client's defaults, for keys of [upstreams.<name>] left out (zero).
const (
	defaultConnectTimeout = time.Second
	defaultReadTimeout    = 5 * time.Second
	defaultTimeout        = 5 * time.Second
	defaultMaxConns       = 64
	defaultMaxBodyBytes   = 4 << 20
)

// breakerSettings says when the circuit breaker opens and for how long.
type breakerSettings struct {
	failures uint32        // consecutive failed calls that open it
	cooldown time.Duration // how long it stays open before one probe
}

// defaultBreaker opens after 5 failed calls in a row and probes after 5s: a
// service that is down costs one fast 503 per request meanwhile, instead of
// a connection attempt or a timeout each.
var defaultBreaker = breakerSettings{failures: 5, cooldown: 5 * time.Second}

// Client is one pooled fasthttp client per [upstreams.<name>] entry, shared
// by every type on that service. It bounds each call by the connect, read
// and total timeouts and the caller's deadline, refuses bodies over
// max_body_bytes, retries idempotent reads with backoff, and puts a circuit
// breaker in front of the service that answers apos.ErrUnavailable
// (503) while open and lets one probe through after a cooldown.
type Client struct {
	name    string
	base    string      // scheme://host[:port][/base/path], no trailing slash
	headers [][2]string // sorted by name, set on every call
	timeout time.Duration
	retries int
	hc      *fasthttp.HostClient
	breaker *gobreaker.CircuitBreaker[struct{}]
}

// NewClient returns the client of the upstream called name.
func NewClient(name string, u config.Upstream) (*Client, error) {
	return newClient(name, u, defaultBreaker)
}

func newClient(name string, u config.Upstream, b breakerSettings) (*Client, error) {
	p, err := url.Parse(u.URL)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return nil, fmt.Errorf("url: must be an http or https URL, such as http://127.0.0.1:8080")
	}
	if p.RawQuery != "" || p.Fragment != "" || p.User != nil {
		return nil, fmt.Errorf("url: must not have a query, a fragment or credentials (use headers)")
	}
	if u.MaxConns < 0 || u.MaxBodyBytes < 0 || u.Retries < 0 {
		return nil, fmt.Errorf("max_conns, max_body_bytes and retries must not be negative")
	}
	connect := orDefault(u.ConnectTimeout.Duration, defaultConnectTimeout)
	timeout := orDefault(u.Timeout.Duration, defaultTimeout)
	read := orDefault(u.ReadTimeout.Duration, defaultReadTimeout)
	isTLS := p.Scheme == "https"
	c := &Client{
		name:    name,
		base:    p.Scheme + "://" + p.Host + strings.TrimSuffix(p.EscapedPath(), "/"),
		timeout: timeout,
		retries: u.Retries,
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
				return conn, nil
			},
			MaxConns:     orDefault(u.MaxConns, defaultMaxConns),
			ReadTimeout:  read,
			WriteTimeout: read,
			// Retries are ours, for reads only: fasthttp would also
			// resend PUTs.
			MaxIdemponentCallAttempts: 1,
			MaxResponseBodySize:       orDefault(u.MaxBodyBytes, defaultMaxBodyBytes),
			MaxConnWaitTimeout:        timeout,
			DisablePathNormalizing:    true,
		},
	}
	for _, k := range slices.Sorted(maps.Keys(u.Headers)) {
		c.headers = append(c.headers, [2]string{k, u.Headers[k]})
	}
	c.breaker = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        name,
		MaxRequests: 1,
		Timeout:     b.cooldown,
		ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= b.failures },
		OnStateChange: func(name string, from, to gobreaker.State) {
			slog.Warn("upstream circuit breaker", "upstream", name, "from", from.String(), "to", to.String())
		},
	})
	return c, nil
}

// Close closes the client's idle connections. Calls in flight finish; the
// client must not be used afterwards.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// dialError marks a failure to connect, which is a bad gateway (502) even
// when it is the connect timeout that expired.
type dialError struct{ err error }

func (e dialError) Error() string { return "connect: " + e.err.Error() }
func (e dialError) Unwrap() error { return e.err }

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
