package oembed

import (
	"net/netip"
	"strings"
	"testing"
)

// TestLaunder: the url parameter is read as Apostrophe's launder.url and
// oembetter read it.
func TestLaunder(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.youtube.com/watch?v=a":   "https://www.youtube.com/watch?v=a",
		"  http://vimeo.com/1  ":              "http://vimeo.com/1",
		"HTTP://Vimeo.com/1":                  "http://Vimeo.com/1",
		"youtube.com/watch?v=a":               "https://youtube.com/watch?v=a",
		"//youtu.be/a":                        "https://youtu.be/a",
		"http://vi meo.com/\t1":               "http://vimeo.com/1",
		"http://vimeo.com/<!-- x -->1":        "http://vimeo.com/1",
		"http://[::1]:80/":                    "http://[::1]:80/",
		"":                                    "",
		"notaurl":                             "",
		"/relative/path":                      "",
		"javascript:alert(1)":                 "",
		"java\tscript:alert(1)":               "",
		"jav<!-- -->ascript:alert(1)":         "",
		"data:text/html;base64,PHNjcmlwdD4=":  "",
		"ftp://vimeo.com/1":                   "",
		"mailto:a@vimeo.com":                  "",
		"http://user:pass@vimeo.com/1":        "",
		"http://@vimeo.com/1":                 "",
		"http:///path":                        "",
		"http://vimeo.com:99999/":             "",
		"https://vimeo.com%2F@evil.example/x": "",
	} {
		u, ok := launder(in)
		got := ""
		if ok {
			got = u.String()
		}
		if got != want {
			t.Errorf("launder(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAllowed: a host matches an entry or its subdomains, whatever its
// case or trailing dot, and nothing else.
func TestAllowed(t *testing.T) {
	s := sites{hosts: []string{"youtube.com", "youtu.be"}}
	for in, want := range map[string]bool{
		"https://youtube.com/a": true, "https://www.YouTube.com./a": true, "https://m.youtube.com/a": true,
		"https://youtu.be/a": true, "https://evilyoutube.com/a": false, "https://youtube.com.evil.example/a": false,
		"https://youtube.co/a": false, "https://127.0.0.1/a": false, "https://[::1]/a": false,
	} {
		u, _ := launder(in)
		if got := s.allowed(u); got != want {
			t.Errorf("allowed(%s) = %v, want %v", in, got, want)
		}
	}
}

// TestPublic: loopback, private, link-local, multicast, unspecified,
// carrier-grade NAT and the other non-public blocks are refused, in
// IPv4, IPv6 and IPv4-mapped IPv6 forms.
func TestPublic(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "10.0.0.1", "::ffff:10.0.0.1", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "fc00::1", "fd12:3456::1", "169.254.169.254", "::ffff:169.254.169.254", "fe80::1", "fe80::1%lo",
		"224.0.0.1", "239.255.255.250", "ff02::1", "ff05::2", "0.0.0.0", "0.1.2.3", "::", "::ffff:0.0.0.0",
		"100.64.0.1", "100.127.255.254", "::ffff:100.64.0.1", "255.255.255.255", "240.0.0.1", "192.0.0.8", "198.18.0.1",
		"64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2001:0:4136:e378::1", "::127.0.0.1", "fec0::1",
		"192.0.2.1", "2001:db8::1",
	}
	for _, s := range refused {
		if public(netip.MustParseAddr(s)) {
			t.Errorf("%s is public", s)
		}
	}
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "93.184.216.34", "::ffff:8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4007::200e", "100.128.0.1", "172.32.0.1"} {
		if !public(netip.MustParseAddr(s)) {
			t.Errorf("%s is not public", s)
		}
	}
	if public(netip.Addr{}) {
		t.Error("the zero address is public")
	}
}

// FuzzLaunder: whatever the parameter, launder keeps only absolute http
// and https URLs with a host and no credentials, that launder keeps as
// they are when read again.
func FuzzLaunder(f *testing.F) {
	for _, s := range []string{"youtube.com/x", "//a.b/c", "http://u@a.b", "javascript:x", "http://[::1]/", "a.b:80", " \x00http://a.b", "http://a.b/<!--x-->"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, ok := launder(s)
		if !ok {
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
			t.Fatalf("%q kept as %q", s, u)
		}
		if strings.ContainsAny(u.String(), " \t\n\x00") {
			t.Fatalf("%q kept with a control character: %q", s, u)
		}
		again, ok := launder(u.String())
		if !ok || again.String() != u.String() {
			t.Fatalf("%q kept as %q, read again as %v %v", s, u, again, ok)
		}
	})
}
