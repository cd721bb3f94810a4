package oembed

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/config"
)

// The shapes of Apostrophe's launder.url: a URL it keeps as it is, and one
// that smells like a bare domain name, to which it prepends https://.
var (
	keptURL  = regexp.MustCompile(`^(((https?|ftp)://)|((mailto|tel|sms):)|#|([^/.]+)?/|[^/.]+$)`)
	bareHost = regexp.MustCompile(`^[^/.]+\.[^/.]+`)
	scheme   = regexp.MustCompile(`^([a-zA-Z]+):`)
)

// launder reads the url parameter as Apostrophe does (launder.url with
// the https fix, then oembetter's checks) and returns the URL to embed,
// or false (docs/api-rules.md#211). A bare domain gets https://, a
// protocol-relative //host gets https:, control characters and spaces
// are dropped, and only http and https URLs with a host and without
// credentials are kept.
func launder(s string) (*url.URL, bool) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, false
	case keptURL.MatchString(s):
	case bareHost.MatchString(s):
		s = "https://" + s
	default:
		return nil, false
	}
	s = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, s)
	s = dropComments(s)
	if m := scheme.FindStringSubmatch(s); m != nil {
		switch strings.ToLower(m[1]) {
		case "http", "https":
		default:
			return nil, false
		}
	}
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return nil, false
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, false
		}
	}
	return u, true
}

// dropComments removes <!-- ... --> from s, as launder.url does.
func dropComments(s string) string {
	for {
		i := strings.Index(s, "<!--")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+4+j+3:]
	}
}

// inDomain reports whether host is domain or one of its subdomains, as
// oembetter matches both the allow-list and the endpoints.
func inDomain(domain, host string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

// sites is the allow-list and the known endpoints of a configuration.
type sites struct {
	hosts     []string
	providers []config.OEmbedEndpoint
}

func newSites(o *config.OEmbed) sites {
	s := sites{hosts: o.Hosts()}
	for _, p := range o.Providers() {
		p.Domain = strings.ToLower(p.Domain)
		s.providers = append(s.providers, p)
	}
	return s
}

// allowed reports whether u may be embedded.
func (s sites) allowed(u *url.URL) bool {
	host := canonicalHost(u.Hostname())
	for _, d := range s.hosts {
		if inDomain(d, host) {
			return true
		}
	}
	return false
}

// endpoint returns the oEmbed URL that describes u when its site has a
// known endpoint (the endpoint with url=u and format=json added to its
// query), or "".
func (s sites) endpoint(u *url.URL) string {
	host := canonicalHost(u.Hostname())
	for _, p := range s.providers {
		if !inDomain(p.Domain, host) {
			continue
		}
		ep, err := url.Parse(p.Endpoint)
		if err != nil {
			return ""
		}
		q := ep.Query()
		q.Set("url", u.String())
		if !q.Has("format") {
			q.Set("format", "json")
		}
		ep.RawQuery = q.Encode()
		return ep.String()
	}
	return ""
}
