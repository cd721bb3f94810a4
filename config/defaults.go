package config

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/apos"
)

// The defaults of the [server] table.
const (
	defaultListen         = "127.0.0.1:3000"
	defaultPrefix         = "/api/v1"
	defaultMaxBodyBytes   = 1 << 20
	defaultReadTimeout    = 10 * time.Second
	defaultWriteTimeout   = 10 * time.Second
	defaultIdleTimeout    = 60 * time.Second
	defaultRequestTimeout = 5 * time.Second
	defaultMaxHeaderBytes = 32 << 10
	defaultMaxClientConns = 1024
	defaultMaxInFlight    = 256
	// defaultCompressMinBytes: below about 1 KiB a compressed JSON body
	// saves less than a packet and costs the encoder's setup.
	defaultCompressMinBytes = 1024
)

// The defaults of an [upstreams.<name>] table. A service that is down
// costs one fast 503 per request once the breaker is open, instead of a
// connection attempt or a timeout each.
const (
	defaultConnectTimeout       = time.Second
	defaultUpstreamReadTimeout  = 5 * time.Second
	defaultUpstreamTimeout      = 5 * time.Second
	defaultMaxConns             = 64
	defaultUpstreamMaxBodyBytes = 4 << 20
	defaultBreakerFailures      = 5
	defaultBreakerCooldown      = 5 * time.Second
	// defaultUpstreamIdle is below the 5s keep-alive of Node's servers.
	defaultUpstreamIdle = 4 * time.Second
)

// The defaults of a type.
const (
	defaultMaxOpen    = 10    // connections of a [databases.<name>] pool
	defaultTimeZone   = "UTC" // of a database's datetimes without a zone
	defaultPerPage    = 50
	defaultMaxPerPage = 1000
	// defaultConcurrency caps the calls one request makes at once to a
	// type's service.
	defaultConcurrency = 8
)

// setDefaults fills in what the file left out. A zero value counts as left
// out, so "0" never means "no limit".
func (c *Config) setDefaults() {
	s := &c.Server
	setZero(&s.Listen, defaultListen)
	setZero(&s.Prefix, defaultPrefix)
	setZero(&s.MaxBodyBytes, defaultMaxBodyBytes)
	setZero(&s.ReadTimeout.Duration, defaultReadTimeout)
	setZero(&s.WriteTimeout.Duration, defaultWriteTimeout)
	setZero(&s.IdleTimeout.Duration, defaultIdleTimeout)
	setZero(&s.RequestTimeout.Duration, defaultRequestTimeout)
	setZero(&s.MaxHeaderBytes, defaultMaxHeaderBytes)
	setZero(&s.MaxConns, defaultMaxClientConns)
	setZero(&s.MaxInFlight, defaultMaxInFlight)
	setZero(&s.RateBurst, s.RateLimit)
	if s.Compress {
		setZero(&s.CompressMinBytes, defaultCompressMinBytes)
	}

	l := &c.Locales
	if len(l.List) == 0 {
		l.List = []Locale{{Name: "en", Label: "English"}}
	}
	setZero(&l.Default, l.List[0].Name)
	for i := range l.List {
		setZero(&l.List[i].Label, l.List[i].Name)
	}

	for name, db := range c.Databases {
		setZero(&db.MaxOpen, defaultMaxOpen)
		setZero(&db.TimeZone, defaultTimeZone)
		c.Databases[name] = db
	}
	for name, u := range c.Upstreams {
		u.setDefaults()
		c.Upstreams[name] = u
	}
	for name, t := range c.Types {
		t.Name = name
		t.setDefaults()
		if db, ok := c.Databases[t.Database]; ok && db.ReadOnly {
			t.ReadOnly = true
		}
	}
	c.Auth.setDefaults()
	c.Jobs.setDefaults(c)
	c.Attachments.setDefaults(c)
	c.OEmbed.setDefaults()
	c.setOpsDefaults()
	for name, m := range c.Modules {
		m.Name = name
		m.setDefaults(c)
	}
}

// setDefaults fills in a type's defaults; see the Type fields.
func (t *Type) setDefaults() {
	t.setCoreDefaults()
	t.setStoreDefaults()
	t.setKeyDefaults()
	storage := apos.Autopublish
	if t.Mode.Column != "" {
		storage = apos.Columns
	}
	setZero(&t.Storage, string(storage))
	if t.Localized == nil {
		localized := t.Locale.Column != "" || t.Mode.Column != "" || t.Storage == string(apos.Overlay)
		t.Localized = &localized
	}
	if t.Service != nil {
		t.Service.setDefaults()
	}
	setZero(&t.PerPage, defaultPerPage)
	setZero(&t.MaxPerPage, defaultMaxPerPage)
	setZero(&t.ViewRole, apos.Anonymous.String())
	setZero(&t.EditRole, apos.Contributor.String())
	setZero(&t.PublishRole, apos.Editor.String())
	for i := range t.Fields {
		f := &t.Fields[i]
		if f.isRelationship() {
			f.setRelationshipDefaults()
			continue
		}
		if f.Template == "" {
			setZero(&f.Column, f.Name)
		}
		setZero(&f.Kind, string(apos.String))
		f.setAttachmentDefaults()
		if f.Auto != "" || f.Template != "" {
			f.ReadOnly = true
		}
		for j := range f.Choices {
			setZero(&f.Choices[j].Label, capitalize(f.Choices[j].Value))
		}
	}
}

// setDefaults fills in an upstream's client settings; see the Upstream
// fields.
func (u *Upstream) setDefaults() {
	setZero(&u.ConnectTimeout.Duration, defaultConnectTimeout)
	setZero(&u.ReadTimeout.Duration, defaultUpstreamReadTimeout)
	setZero(&u.Timeout.Duration, defaultUpstreamTimeout)
	setZero(&u.MaxConns, defaultMaxConns)
	setZero(&u.MaxBodyBytes, defaultUpstreamMaxBodyBytes)
	setZero(&u.BreakerFailures, defaultBreakerFailures)
	setZero(&u.BreakerCooldown.Duration, defaultBreakerCooldown)
	setZero(&u.IdleTimeout.Duration, defaultUpstreamIdle)
}

// FileDatabase is the SQLite database the proxy keeps in file for itself
// (jobs.file, auth.store.file), with the defaults of a configured one.
func FileDatabase(file string) Database {
	return Database{Driver: "sqlite", DSN: "file:" + file, MaxOpen: defaultMaxOpen, JournalMode: "wal"}
}

// capitalize upper-cases the first letter of s: "red" -> "Red".
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// setZero sets *p to v when *p is its type's zero value.
func setZero[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// The defaults of the production keys: [server] shutdown, [admin] and
// [log].
const (
	defaultShutdownTimeout = 10 * time.Second
	defaultReadyCache      = time.Second
	defaultReadyTimeout    = 2 * time.Second
)

// setOpsDefaults fills in [server]'s shutdown key, [admin] and [log].
func (c *Config) setOpsDefaults() {
	s := &c.Server
	setZero(&s.ShutdownTimeout.Duration, defaultShutdownTimeout)
	a := &c.Admin
	if a.Listen != "" {
		setZero(&a.Metrics, "admin")
	}
	setZero(&a.Metrics, "off")
	setZero(&a.ReadyCache.Duration, defaultReadyCache)
	setZero(&a.ReadyTimeout.Duration, defaultReadyTimeout)
	l := &c.Log
	setZero(&l.Format, "text")
	setZero(&l.Level, "info")
	if l.Requests == nil {
		on := true
		l.Requests = &on
	}
}
