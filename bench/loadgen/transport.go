package loadgen

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/valyala/fasthttp"
)

// fastTransport is an http.RoundTripper over fasthttp's client. vegeta's
// attacker runs its open model through it: net/http's transport costs the
// client so much CPU that, on a small machine that also runs the server,
// the client rather than the server would set the latency measured.
type fastTransport struct{ c *fasthttp.Client }

// RoundTrip implements http.RoundTripper.
func (t fastTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(r.Method)
	req.SetRequestURI(r.URL.String())
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		req.SetBodyRaw(body)
	}
	var err error
	if d, ok := r.Context().Deadline(); ok {
		err = t.c.DoDeadline(req, resp, d)
	} else {
		err = t.c.Do(req, resp)
	}
	if err != nil {
		return nil, err
	}
	code := resp.StatusCode()
	body := append([]byte(nil), resp.Body()...)
	return &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}
