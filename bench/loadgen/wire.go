package loadgen

import (
	"net"
	"net/http"
	"strconv"
	"strings"
)

// wire is a request as the epoll engine writes it (epoll_linux.go): the
// address to connect to and the whole HTTP/1.1 request, built once per
// request of a pool so that sending it is one write(2).
type wire struct {
	addr  string // host:port
	https bool   // the engine speaks plain HTTP only; the worker model sends these
	bytes []byte
}

// newWire builds r's wire form, with cred as the Authorization header
// when r sends the credentials. Like the fasthttp client of the other
// models (DisablePathNormalizing), it sends the URL's path and query as
// they are written, and the same default headers.
func newWire(r *request, cred string) *wire {
	w := &wire{}
	rest, ok := strings.CutPrefix(r.url, "http://")
	if !ok {
		rest, w.https = strings.CutPrefix(r.url, "https://")
	}
	host, uri := rest, "/"
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host, uri = rest[:i], rest[i:]
		if uri[0] == '?' {
			uri = "/" + uri
		}
	}
	uri, _, _ = strings.Cut(uri, "#")
	w.addr = host
	if _, _, err := net.SplitHostPort(host); err != nil && w.https {
		w.addr = host + ":443"
	} else if err != nil {
		w.addr = host + ":80"
	}
	b := make([]byte, 0, 128+len(uri)+len(r.body))
	b = append(append(append(append(b, r.method...), ' '), uri...), " HTTP/1.1\r\n"...)
	set := func(name, value string) {
		if r.header.Get(name) == "" {
			b = append(append(append(append(b, name...), ": "...), value...), "\r\n"...)
		}
	}
	set("Host", host)
	set("User-Agent", "aposproxy-bench")
	if r.auth && cred != "" {
		set("Authorization", cred)
	}
	for k, vs := range r.header {
		for _, v := range vs {
			b = append(append(append(append(b, k...), ": "...), v...), "\r\n"...)
		}
	}
	if r.body != nil {
		set("Content-Type", "application/json")
	}
	if r.body != nil || r.method != http.MethodGet && r.method != http.MethodHead {
		b = append(append(append(b, "Content-Length: "...), strconv.Itoa(len(r.body))...), "\r\n"...)
	}
	w.bytes = append(append(b, "\r\n"...), r.body...)
	return w
}

// buildWires builds the wire form of the requests of p's pools, once, and
// reports whether the epoll engine can send them all: plain HTTP, the
// write cycles' too.
func (p *plan) buildWires() bool {
	plain := true
	for sc := range p.pools {
		for i := range p.pools[sc] {
			r := &p.pools[sc][i]
			if r.wire == nil {
				r.wire = newWire(r, p.cred)
			}
			plain = plain && !r.wire.https
		}
	}
	for _, w := range p.writers {
		plain = plain && strings.HasPrefix(w.typeURL, "http://")
	}
	return plain
}
