package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// newClient is the HTTP client of every request: fasthttp's, because on a
// small machine the client shares the CPU with the server it measures, and
// fasthttp's costs it the least.
func newClient(o *options) *fasthttp.Client {
	conns := max(o.conns, 1)
	if o.rate > 0 {
		conns = o.maxConns // the open model opens what its requests in flight need
	}
	return &fasthttp.Client{
		Name:                      "aposproxy-bench",
		MaxConnsPerHost:           conns,
		ReadTimeout:               o.timeout,
		WriteTimeout:              o.timeout,
		MaxIdemponentCallAttempts: 1,
		DisablePathNormalizing:    true,
	}
}

// do sends one request outside the measured load (discovery, cleanup) and
// returns its status and a copy of its body.
func do(ctx context.Context, c *fasthttp.Client, method, u, cred string, body []byte) (int, []byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI(u)
	if cred != "" {
		req.Header.Set("Authorization", cred)
	}
	if body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(body)
	}
	deadline := time.Now().Add(10 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.DoDeadline(req, resp, deadline); err != nil {
		return 0, nil, fmt.Errorf("cannot reach %s: %w", u, err)
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...), nil
}

// runClosed sends requests over conns connections, each sending its next
// request as soon as the previous one is answered, for d or until ctx
// ends: the throughput the target can sustain.
func runClosed(ctx context.Context, c *fasthttp.Client, p *plan, conns int, d, timeout time.Duration, out chan<- result) {
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for ctx.Err() == nil && time.Now().Before(end) {
				r, _ := p.pick()
				out <- hit(c, p, &r, req, resp, timeout, time.Now())
			}
		}()
	}
	wg.Wait()
}

// hit sends r with req and resp, and measures its latency from due, the
// time it was due to be sent.
func hit(c *fasthttp.Client, p *plan, r *request, req *fasthttp.Request, resp *fasthttp.Response, timeout time.Duration, due time.Time) result {
	req.Reset()
	req.Header.SetMethod(r.method)
	req.SetRequestURI(r.url)
	if r.auth && p.cred != "" {
		req.Header.Set("Authorization", p.cred)
	}
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(r.body)
	}
	res := result{method: r.method, url: r.url}
	err := c.DoDeadline(req, resp, time.Now().Add(timeout))
	res.latency = time.Since(due)
	if err != nil {
		res.err = err.Error()
		return res
	}
	res.judge(r.method, resp.StatusCode(), jsonDocument(resp.Body()))
	if r.method == http.MethodPost {
		res.body = append([]byte(nil), resp.Body()...)
	}
	return res
}

// judge sets res's status and error from an answer to a request of
// method: a status outside 2xx/3xx is a failure, and so is a read whose
// body is not a JSON document (jsonDoc). Checked on every answer of the
// run, not only before it: a server that starts answering garbage fast
// must not look fast. Code 0 counts a bad body with the failures.
func (res *result) judge(method string, code int, jsonDoc bool) {
	res.code = uint16(code)
	if res.code < 200 || res.code >= 400 {
		res.err = fmt.Sprintf("%d %s", res.code, fasthttp.StatusMessage(int(res.code)))
	} else if method == http.MethodGet && !jsonDoc {
		res.code, res.err = 0, "a 2xx answer whose body is not a JSON object or array"
	}
}

// jsonDocument is the body check of a read during a run: the body is one
// JSON object or array, as far as its first and last bytes tell (a full
// parse would load the generator, which shares the machine).
func jsonDocument(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && (b[0] == '{' && b[len(b)-1] == '}' || b[0] == '[' && b[len(b)-1] == ']')
}
