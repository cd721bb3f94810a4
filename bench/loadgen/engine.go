package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/valyala/fasthttp"
)

// newClient is the HTTP client of every request: fasthttp's, because on a
// small machine the client shares the CPU with the server it measures, and
// fasthttp's costs it the least (vegeta's open model runs over it too).
func newClient(o *options) *fasthttp.Client {
	conns := max(o.conns, 1)
	if o.rate > 0 {
		conns = maxOpenWorkers // the open model opens what its requests in flight need
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
func runClosed(ctx context.Context, c *fasthttp.Client, p *plan, conns int, d, timeout time.Duration, out chan<- *vegeta.Result) {
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
				out <- hit(c, p, &r, req, resp, timeout)
			}
		}()
	}
	wg.Wait()
}

// hit sends r with req and resp and measures it as vegeta would.
func hit(c *fasthttp.Client, p *plan, r *request, req *fasthttp.Request, resp *fasthttp.Response, timeout time.Duration) *vegeta.Result {
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
	res := &vegeta.Result{Method: r.method, URL: r.url, BytesOut: uint64(len(r.body)), Timestamp: time.Now()}
	err := c.DoDeadline(req, resp, res.Timestamp.Add(timeout))
	res.Latency = time.Since(res.Timestamp)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Code = uint16(resp.StatusCode())
	res.BytesIn = uint64(len(resp.Body()))
	if res.Code < 200 || res.Code >= 400 {
		res.Error = fmt.Sprintf("%d %s", res.Code, fasthttp.StatusMessage(int(res.Code)))
	} else if r.method == http.MethodGet && !jsonDocument(resp.Body()) {
		// Checked on every answer of the run, not only before it: a
		// server that starts answering garbage fast must not look fast.
		// Code 0 counts it with the failures.
		res.Code, res.Error = 0, "a 2xx answer whose body is not a JSON object or array"
	}
	if r.method == http.MethodPost {
		res.Body = append([]byte(nil), resp.Body()...)
	}
	return res
}

// runOpen sends rate requests per second for d whatever the answers take
// (vegeta's constant-rate attack, an open model): a slow target gets more
// requests in flight rather than fewer requests, so its latency shows.
func runOpen(ctx context.Context, c *fasthttp.Client, p *plan, o *options, d time.Duration, out chan<- *vegeta.Result) {
	atk := vegeta.NewAttacker(
		vegeta.Client(&http.Client{Transport: fastTransport{c}, Timeout: o.timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}),
		vegeta.Workers(uint64(max(o.conns, 1))),
		vegeta.MaxWorkers(maxOpenWorkers),
	)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	tr := func(t *vegeta.Target) error {
		r, _ := p.pick()
		t.Method, t.URL, t.Body, t.Header = r.method, r.url, r.body, p.header(&r)
		return nil
	}
	for res := range atk.Attack(tr, vegeta.Rate{Freq: o.rate, Per: time.Second}, d, "aposproxy-bench") {
		out <- res
	}
}

// maxOpenWorkers bounds the requests in flight of the open model, so that
// a target that stops answering costs memory up to a point only.
const maxOpenWorkers = 10000

// jsonDocument is the body check of a read during a run: the body is one
// JSON object or array, as far as its first and last bytes tell (a full
// parse would load the generator, which shares the machine).
func jsonDocument(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && (b[0] == '{' && b[len(b)-1] == '}' || b[0] == '[' && b[len(b)-1] == ']')
}
