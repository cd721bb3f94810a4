package config

import (
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// OEmbed configures GET /api/v1/@apostrophecms/oembed/query, the oEmbed
// proxy of Apostrophe's oembed module (docs/api-rules.md#210): which
// sites may be embedded, where their oEmbed endpoints are, how long
// answers are cached, and the limits of the proxy's own outbound fetches.
type OEmbed struct {
	// MinimumAllowlist replaces Apostrophe's list of embeddable sites
	// (Apostrophe's minimumAllowlist); Allowlist adds to it (allowlist).
	// A URL's host matches an entry when it is the entry or ends with
	// "." and the entry. An empty minimum_allowlist with no allowlist
	// embeds nothing.
	MinimumAllowlist []string `toml:"minimum_allowlist"`
	Allowlist        []string `toml:"allowlist"`
	// MinimumEndpoints replaces Apostrophe's known oEmbed endpoints
	// (minimumEndpoints); Endpoints adds to them (endpoints). A site
	// without one is asked for its endpoint through the
	// <link rel="alternate" type="application/json+oembed"> of its page.
	MinimumEndpoints []OEmbedEndpoint `toml:"minimum_endpoints"`
	Endpoints        []OEmbedEndpoint `toml:"endpoints"`
	// CacheLifetime is how long an answer is kept per URL (Apostrophe's
	// cacheLifetime). Default 1h. The cache is shared through Redis when
	// auth.store is Redis, in this process's memory otherwise.
	CacheLifetime Duration `toml:"cache_lifetime"`
	// MaxCacheEntries bounds the in-memory cache. Default 1000.
	MaxCacheEntries int `toml:"max_cache_entries"`
	// Role is the lowest role that may query. Default anonymous, as in
	// Apostrophe.
	Role string `toml:"role"`
	// PrivateHosts names hosts that may be fetched although their
	// addresses are loopback, private, link-local or otherwise not
	// public (a provider on the same network). Matched exactly; default
	// none.
	PrivateHosts []string `toml:"private_hosts"`
	// Timeout bounds one query's fetches (redirects and discovery
	// included), ConnectTimeout each connection's opening. Defaults 4s
	// and 2s; the query's answer is also bounded by server.request_timeout.
	Timeout        Duration `toml:"timeout"`
	ConnectTimeout Duration `toml:"connect_timeout"`
	// MaxBodyBytes bounds each response read (a page read for discovery,
	// an oEmbed answer). Default 1 MiB.
	MaxBodyBytes int `toml:"max_body_bytes"`
	// MaxRedirects bounds the redirects of one fetch. Default 5.
	MaxRedirects int `toml:"max_redirects"`
	// MaxFetches bounds the fetches in flight at once. Default 16.
	MaxFetches int `toml:"max_fetches"`
	// Referer is sent with each fetch (Apostrophe sends the site's base
	// URL, which lets Vimeo serve videos locked to a domain). Default:
	// not sent.
	Referer string `toml:"referer"`
}

// OEmbedEndpoint is the oEmbed endpoint of the URLs of one domain (and
// its subdomains).
type OEmbedEndpoint struct {
	Domain   string `toml:"domain"`
	Endpoint string `toml:"endpoint"`
}

// The defaults of [oembed]: Apostrophe 4.32's allow-list (oembetter's
// suggested list plus wufoo.com, infogr.am and slideshare.net) and
// oembetter's suggested endpoints.
var (
	defaultOEmbedAllowlist = []string{"youtube.com", "youtu.be", "dailymotion.com", "flickr.com", "vimeo.com",
		"soundcloud.com", "twitter.com", "x.com", "wufoo.com", "infogr.am", "slideshare.net"}
	defaultOEmbedEndpoints = []OEmbedEndpoint{
		{Domain: "vimeo.com", Endpoint: "https://vimeo.com/api/oembed.json"},
		{Domain: "youtube.com", Endpoint: "https://www.youtube.com/oembed"},
		{Domain: "youtu.be", Endpoint: "https://www.youtube.com/oembed"},
		{Domain: "twitter.com", Endpoint: "https://publish.twitter.com/oembed"},
		{Domain: "x.com", Endpoint: "https://publish.twitter.com/oembed"},
	}
)

const (
	defaultOEmbedCacheLifetime  = time.Hour
	defaultOEmbedCacheEntries   = 1000
	defaultOEmbedTimeout        = 4 * time.Second
	defaultOEmbedConnectTimeout = 2 * time.Second
	defaultOEmbedMaxBodyBytes   = 1 << 20
	defaultOEmbedMaxRedirects   = 5
	defaultOEmbedMaxFetches     = 16
)

func (o *OEmbed) setDefaults() {
	if o.MinimumAllowlist == nil {
		o.MinimumAllowlist = slices.Clone(defaultOEmbedAllowlist)
	}
	if o.MinimumEndpoints == nil {
		o.MinimumEndpoints = slices.Clone(defaultOEmbedEndpoints)
	}
	setZero(&o.CacheLifetime.Duration, defaultOEmbedCacheLifetime)
	setZero(&o.MaxCacheEntries, defaultOEmbedCacheEntries)
	setZero(&o.Role, apos.Anonymous.String())
	setZero(&o.Timeout.Duration, defaultOEmbedTimeout)
	setZero(&o.ConnectTimeout.Duration, defaultOEmbedConnectTimeout)
	setZero(&o.MaxBodyBytes, defaultOEmbedMaxBodyBytes)
	setZero(&o.MaxRedirects, defaultOEmbedMaxRedirects)
	setZero(&o.MaxFetches, defaultOEmbedMaxFetches)
}

// Hosts is the effective allow-list: the minimum list, then the added
// entries, lowercased.
func (o *OEmbed) Hosts() []string {
	var hosts []string
	for _, h := range slices.Concat(o.MinimumAllowlist, o.Allowlist) {
		hosts = append(hosts, strings.ToLower(h))
	}
	return hosts
}

// Providers is the effective endpoint list: the minimum list, then the
// added entries, in the order a URL's host is matched against them.
func (o *OEmbed) Providers() []OEmbedEndpoint {
	return slices.Concat(o.MinimumEndpoints, o.Endpoints)
}

// domainName is a host name of letters, digits, - and . (no scheme, port
// or path).
var domainName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

func (o *OEmbed) validate(errs *errorList) {
	for _, list := range []struct {
		key   string
		hosts []string
	}{{"oembed.minimum_allowlist", o.MinimumAllowlist}, {"oembed.allowlist", o.Allowlist}} {
		for i, h := range list.hosts {
			if !domainName.MatchString(h) {
				errs.addf(indexKey(list.key, i), "must be a domain name, such as youtube.com")
			}
		}
	}
	for i, h := range o.PrivateHosts {
		if _, err := netip.ParseAddr(h); err != nil && !domainName.MatchString(h) {
			errs.addf(indexKey("oembed.private_hosts", i), "must be a host name or an IP address, such as localhost")
		}
	}
	validateEndpoints("oembed.minimum_endpoints", o.MinimumEndpoints, errs)
	validateEndpoints("oembed.endpoints", o.Endpoints, errs)
	if !roleAtLeast(o.Role, apos.Anonymous) {
		errs.addf("oembed.role", "must be one of %s", rolesFrom(apos.Anonymous))
	}
	for _, n := range []struct {
		key string
		n   int
	}{{"max_cache_entries", o.MaxCacheEntries}, {"max_body_bytes", o.MaxBodyBytes}, {"max_redirects", o.MaxRedirects}, {"max_fetches", o.MaxFetches}} {
		if n.n < 1 {
			errs.addf("oembed."+n.key, "must be at least 1")
		}
	}
	if o.Referer != "" && !isFetchableURL(o.Referer) {
		errs.addf("oembed.referer", "must be an http or https URL, such as https://shop.example")
	}
}

func validateEndpoints(key string, eps []OEmbedEndpoint, errs *errorList) {
	for i, e := range eps {
		p := indexKey(key, i)
		if !domainName.MatchString(e.Domain) {
			errs.addf(p+".domain", "must be a domain name, such as vimeo.com")
		}
		if !isFetchableURL(e.Endpoint) {
			errs.addf(p+".endpoint", "must be an http or https URL without credentials, such as https://vimeo.com/api/oembed.json")
		}
	}
}

// isFetchableURL reports whether s is an absolute http or https URL with
// a host and no credentials.
func isFetchableURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}
