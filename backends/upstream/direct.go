package upstream

import (
	"context"
	"fmt"

	"github.com/aposproxy/aposproxy/apos"
)

// Call sends one request to the service for a route a configuration
// declares (rather than a type's operation): method, path (with its query,
// already escaped) after the upstream's base URL, and a JSON body (nil for
// none). It returns the body of a 2xx answer. Other answers become errors
// named by status as a type's are by default: 400 and 422 invalid, 404
// notfound, 409 conflict, 429 unavailable, anything else 502. The service's
// text never reaches clients; it is kept for the logs. The client's
// timeouts, retries of GETs and circuit breaker apply.
func (c *Client) Call(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	res, err := c.do(ctx, &request{method: method, uri: append([]byte(c.base), path...), body: body})
	if err != nil {
		return nil, err
	}
	if res.status >= 200 && res.status <= 299 {
		return res.body, nil
	}
	sentinel := defaultStatuses[res.status]
	if sentinel == nil {
		sentinel = apos.ErrBadGateway
	}
	return nil, apos.Wrap(sentinel, "", fmt.Errorf("upstream %s: %s %s answered %d: %.200s", c.name, method, path, res.status, res.body))
}

// AppendEscaped appends s percent-encoded for a path segment or a query
// value (every byte but RFC 3986's unreserved ones), as the adapter
// escapes the values of its path templates.
func AppendEscaped(dst []byte, s string) []byte { return appendEscaped(dst, s) }
