package oembed

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestRedirectsRefused: the trusted provider redirects to 127.0.0.1, to
// [::1], to the IPv4-mapped form of 127.0.0.1, to 0.0.0.0 and to the
// cloud metadata address 169.254.169.254: each is refused by the dialer
// before a connection is made (the listeners at those addresses accept
// nothing), and quickly.
func TestRedirectsRefused(t *testing.T) {
	p := newProvider(t)
	s := newService(t, p, trusting)
	v4 := ListenCounting(t, "tcp4", "127.0.0.1:0")
	if v4 == nil {
		t.Fatal("no IPv4 loopback")
	}
	_, v4port, _ := net.SplitHostPort(v4.Addr)
	targets := map[string]string{
		"127.0.0.1":        "http://" + v4.Addr + "/latest",
		"IPv4-mapped":      "http://[::ffff:127.0.0.1]:" + v4port + "/latest",
		"0.0.0.0":          "http://0.0.0.0:" + v4port + "/latest",
		"metadata address": "http://169.254.169.254/latest/meta-data/",
	}
	v6 := ListenCounting(t, "tcp6", "[::1]:0")
	if v6 != nil {
		targets["[::1]"] = "http://" + v6.Addr + "/latest"
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			before := s.fetch.guard.refused.Load()
			start := time.Now()
			for _, raw := range []string{
				p.base + "/redirect?to=" + url.QueryEscape(target),                                   // the page redirects
				p.base + "/link-to?href=" + url.QueryEscape(target),                                  // the page's link points there
				p.base + "/link-to?href=" + url.QueryEscape("/redirect?to="+url.QueryEscape(target)), // the endpoint redirects
			} {
				if b, err := query(s, raw); err == nil {
					t.Fatalf("%s answered %s", raw, b)
				}
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("three refusals took %v", d)
			}
			if n := s.fetch.guard.refused.Load() - before; n < 3 {
				t.Errorf("the dialer refused %d connections, want 3 or more", n)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // a connection made would have been accepted by now
	if n := v4.Accepted.Load(); n != 0 {
		t.Errorf("%d connections reached 127.0.0.1", n)
	}
	if v6 != nil && v6.Accepted.Load() != 0 {
		t.Errorf("%d connections reached [::1]", v6.Accepted.Load())
	}
}

// TestLoopbackNameRefused: an allowed name that resolves to loopback
// (localhost) is refused when private_hosts does not name it; so is a
// configured endpoint on a loopback address that private_hosts does not
// name, although the site itself is trusted.
func TestLoopbackNameRefused(t *testing.T) {
	p := newProvider(t)
	untrusting := strings.Replace(trusting, `private_hosts = ["localhost"]`, "", 1)
	s := newService(t, p, untrusting)
	if b, err := query(s, p.base+"/video/1"); err == nil {
		t.Fatalf("answered %s", b)
	}
	if s.fetch.guard.refused.Load() == 0 {
		t.Fatal("the dialer refused nothing")
	}
	s = newService(t, p, trusting+`
[[oembed.endpoints]]
domain = "localhost"
endpoint = "http://`+p.addr+`/oembed"
`)
	if b, err := query(s, p.base+"/video/1"); err == nil {
		t.Fatalf("an endpoint on 127.0.0.1 answered %s", b)
	}
	if s.fetch.guard.refused.Load() != 1 {
		t.Fatalf("the dialer refused %d connections, want 1", s.fetch.guard.refused.Load())
	}
	if n := p.hits.Load() + p.pages.Load(); n != 0 {
		t.Fatalf("the provider was reached %d times", n)
	}
}
