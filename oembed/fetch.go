package oembed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// userAgent names the proxy to providers.
const userAgent = "aposproxy-oembed/1"

// maxHeaderBytes bounds a provider's response headers.
const maxHeaderBytes = 64 << 10

// Fetch errors; none reaches a client, who only sees "Video URL invalid".
var (
	errTooLarge     = errors.New("oembed: the response is larger than oembed.max_body_bytes")
	errTooManyHops  = errors.New("oembed: too many redirects")
	errBadRedirect  = errors.New("oembed: a redirect to a URL that is not http or https, or that carries credentials")
	errStatus       = errors.New("oembed: the provider did not answer 2xx")
	errBusy         = errors.New("oembed: oembed.max_fetches fetches are in flight")
	errNoDiscovery  = errors.New("oembed: the page names no JSON oEmbed endpoint")
	errNotAnOEmbed  = errors.New("oembed: the provider's answer is not a JSON object")
	errBadEndpoint  = errors.New("oembed: the discovered endpoint is not an http or https URL")
	errUnacceptable = errors.New("oembed: the URL is not allowed")
)

// fetcher makes the outbound requests: net/http's client over the
// guard's dialer (net/http rather than fasthttp's client because its
// redirect policy hook, per-request contexts and transport-level
// timeouts are what this needs, and every redirect goes through the same
// DialContext), no proxy from the environment (a proxy would connect in
// the guard's stead), bounded redirects, header and body sizes.
type fetcher struct {
	client  *http.Client
	guard   *guard
	maxBody int64
	referer string
	slots   chan struct{} // one per fetch in flight
}

func newFetcher(g *guard, timeout time.Duration, maxRedirects, maxBody, maxFetches int, referer string) *fetcher {
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            g.dial,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    g.strict.Timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		MaxIdleConns:           maxFetches,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
	}
	client := &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		switch {
		case len(via) > maxRedirects:
			return errTooManyHops
		case req.URL.Scheme != "http" && req.URL.Scheme != "https", req.URL.User != nil:
			return errBadRedirect
		}
		return nil
	}}
	return &fetcher{client: client, guard: g, maxBody: int64(maxBody), referer: referer,
		slots: make(chan struct{}, maxFetches)}
}

// get fetches u and hands read the response's body, cut at maxBody+1
// bytes, and the URL it came from after redirects.
func (f *fetcher) get(ctx context.Context, u, accept string, read func(body io.Reader, from *http.Request) error) error {
	select {
	case f.slots <- struct{}{}:
		defer func() { <-f.slots }()
	case <-ctx.Done():
		return errBusy
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", accept)
	if f.referer != "" {
		req.Header.Set("Referer", f.referer)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: %d", errStatus, resp.StatusCode)
	}
	return read(io.LimitReader(resp.Body, f.maxBody+1), resp.Request)
}

// getAll fetches u and returns its whole body, refused past maxBody.
func (f *fetcher) getAll(ctx context.Context, u string) ([]byte, error) {
	var b []byte
	err := f.get(ctx, u, "application/json", func(body io.Reader, _ *http.Request) error {
		var err error
		if b, err = io.ReadAll(body); err != nil {
			return err
		}
		if int64(len(b)) > f.maxBody {
			return errTooLarge
		}
		return nil
	})
	return b, err
}

// close drops the idle connections.
func (f *fetcher) close() { f.client.CloseIdleConnections() }
