package config

import (
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time_zone names on a machine without a zone database

	"github.com/aposproxy/aposproxy/apos"
)

var (
	drivers    = []string{"sqlite", "postgres", "mysql"}
	localeName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// validate records every mistake of a configuration whose defaults are
// set.
func (c *Config) validate(errs *errorList) {
	c.Server.validate(errs)
	c.Locales.validate(errs)
	for _, name := range slices.Sorted(maps.Keys(c.Databases)) {
		c.Databases[name].validate(joinKey("databases", name), errs)
	}
	c.validateAPIKeys(errs)
	for _, name := range slices.Sorted(maps.Keys(c.Upstreams)) {
		c.Upstreams[name].validate(joinKey("upstreams", name), errs)
	}
	for _, name := range c.TypeOrder {
		c.Types[name].validate(c, errs)
	}
	c.validateRelationships(errs)
	c.Auth.validate(c, errs)
	c.Jobs.validate(c, errs)
	c.Attachments.validate(c, errs)
	c.validateAttachmentFields(errs)
	c.OEmbed.validate(errs)
	c.validateOps(errs)
	c.validateModules(errs)
}

func (s *Server) validate(errs *errorList) {
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		errs.addf("server.listen", "must be host:port, such as 127.0.0.1:3000")
	}
	if !strings.HasPrefix(s.Prefix, "/") || strings.HasSuffix(s.Prefix, "/") {
		errs.addf("server.prefix", "must start with / and not end with /, such as /api/v1")
	}
	if s.MaxBodyBytes < 0 {
		errs.addf("server.max_body_bytes", "must be positive")
	}
	s.validateLimits(errs)
}

// validateLimits checks the [server] caps on connections, requests and
// headers.
func (s *Server) validateLimits(errs *errorList) {
	for _, l := range []struct {
		key string
		n   int
	}{{"max_conns", s.MaxConns}, {"max_conns_per_ip", s.MaxConnsPerIP}, {"max_in_flight", s.MaxInFlight},
		{"rate_limit", s.RateLimit}, {"rate_burst", s.RateBurst}} {
		if l.n < 0 {
			errs.addf("server."+l.key, "must be positive")
		}
	}
	if s.MaxHeaderBytes < minHeaderBytes {
		errs.addf("server.max_header_bytes", "must be at least %d", minHeaderBytes)
	}
	if s.RateBurst > 0 && s.RateLimit == 0 {
		errs.addf("server.rate_burst", "needs rate_limit")
	}
	switch {
	case s.CompressMinBytes < 0:
		errs.addf("server.compress_min_bytes", "must be positive")
	case s.CompressMinBytes > 0 && !s.Compress:
		errs.addf("server.compress_min_bytes", "needs compress = true")
	}
}

// minHeaderBytes is the smallest server.max_header_bytes: less refuses
// ordinary browsers' requests.
const minHeaderBytes = 4096

func (l *Locales) validate(errs *errorList) {
	names := map[string]bool{}
	prefixes := map[string]bool{}
	for i, loc := range l.List {
		path := indexKey("locales.list", i)
		switch {
		case !localeName.MatchString(loc.Name):
			errs.addf(path+".name", "must be letters, digits, _ or -, such as en or pt-BR")
		case names[loc.Name]:
			errs.addf(path+".name", "locale %s is listed twice", loc.Name)
		}
		names[loc.Name] = true
		if loc.Prefix == "" {
			continue
		}
		switch {
		case !strings.HasPrefix(loc.Prefix, "/") || strings.HasSuffix(loc.Prefix, "/"):
			errs.addf(path+".prefix", "must start with / and not end with /, such as /fr")
		case prefixes[loc.Prefix]:
			errs.addf(path+".prefix", "prefix %s is used by two locales", loc.Prefix)
		}
		prefixes[loc.Prefix] = true
	}
	if !names[l.Default] {
		errs.addf("locales.default", "locale %q is not in locales.list", l.Default)
	}
}

// validate checks one database. Bootstrap files are not checked against
// the driver: a driver chosen from the environment may make them moot, and
// they are ignored for anything but SQLite.
func (db Database) validate(path string, errs *errorList) {
	if !slices.Contains(drivers, db.Driver) {
		errs.addf(path+".driver", "must be one of %s", strings.Join(drivers, ", "))
	}
	if db.DSN == "" {
		errs.addf(path+".dsn", "must not be empty")
	}
	if db.MaxOpen < 1 {
		errs.addf(path+".max_open", "must be at least 1")
	}
	if db.JournalMode != "" && !slices.Contains([]string{"wal", "delete", "truncate", "persist"}, db.JournalMode) {
		errs.addf(path+".journal_mode", "must be wal, delete, truncate or persist")
	}
	if _, err := time.LoadLocation(db.TimeZone); err != nil || db.TimeZone == "Local" {
		errs.addf(path+".time_zone", "must be an IANA time zone such as UTC or Europe/Paris")
	}
	for i, f := range db.Bootstrap {
		if f == "" {
			errs.addf(indexKey(path+".bootstrap", i), "must be a file path")
		}
	}
}

// validateAPIKeys checks roles (an API key cannot be anonymous) and
// refuses two keys with one secret, which would make the caller's role
// ambiguous. Messages never show secrets.
func (c *Config) validateAPIKeys(errs *errorList) {
	owner := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(c.APIKeys)) {
		k := c.APIKeys[name]
		path := joinKey("api_keys", name)
		if !roleAtLeast(k.Role, apos.Guest) {
			errs.addf(path+".role", "must be one of %s", rolesFrom(apos.Guest))
		}
		if k.Secret == "" {
			continue
		}
		if first, ok := owner[k.Secret]; ok {
			errs.addf(path+".secret", "same secret as %s; each key needs its own", first)
			continue
		}
		owner[k.Secret] = path
	}
}

func (u Upstream) validate(path string, errs *errorList) {
	switch p, err := url.Parse(u.URL); {
	case err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "":
		errs.addf(path+".url", "must be an http or https URL, such as http://127.0.0.1:8080")
	case p.RawQuery != "" || p.Fragment != "" || p.User != nil:
		errs.addf(path+".url", "must not have a query, a fragment or credentials (send credentials in headers)")
	}
	for _, c := range []struct {
		key string
		n   int
	}{{"max_conns", u.MaxConns}, {"max_body_bytes", u.MaxBodyBytes}, {"retries", u.Retries}, {"breaker_failures", u.BreakerFailures}} {
		if c.n < 0 {
			errs.addf(path+"."+c.key, "must not be negative")
		}
	}
	if h := u.IdempotencyHeader; h != "" && !validHeaderName(h) {
		errs.addf(path+".idempotency_header", "must be a header name, such as Idempotency-Key")
	}
}

// validHeaderName reports whether s is an HTTP header name (an RFC 9110
// token).
func validHeaderName(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}
