package app

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOversizedRequestAnswered: a client that sends its whole request
// before it reads the answer (Go's own does) gets the 431 or 413 it is
// sent when its request is refused before it is read whole (headers over
// server.max_header_bytes, a body over server.max_body_bytes), not a
// broken pipe: the connection lingers before it closes (linger.go).
func TestOversizedRequestAnswered(t *testing.T) {
	base, _ := serveAll(t, io.Discard)
	client := &http.Client{Timeout: 10 * time.Second}
	big := strings.Repeat("x", 600<<10)
	for _, c := range []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"headers", func() *http.Request {
			r, _ := http.NewRequest("GET", base+"/api/v1/product", nil)
			r.Header.Set("Cookie", "prefs="+big)
			return r
		}, http.StatusRequestHeaderFieldsTooLarge},
		{"body", func() *http.Request {
			r, _ := http.NewRequest("POST", base+"/api/v1/product", bytes.NewReader(bytes.Repeat([]byte(" "), 1536<<10)))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, http.StatusRequestEntityTooLarge},
	} {
		for i := range 10 {
			resp, err := client.Do(c.req())
			if err != nil {
				t.Fatalf("%s, try %d: %v", c.name, i+1, err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("%s, try %d: %d, want %d", c.name, i+1, resp.StatusCode, c.status)
			}
		}
	}
}
