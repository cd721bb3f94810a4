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

	l := &c.Locales
	if len(l.List) == 0 {
		l.List = []Locale{{Name: "en", Label: "English"}}
	}
	setZero(&l.Default, l.List[0].Name)
	for i := range l.List {
		setZero(&l.List[i].Label, l.List[i].Name)
	}

	for name, db := range c.Databases {
		setZero(&db.MaxOpen, 10)
		c.Databases[name] = db
	}
	for name, t := range c.Types {
		t.Name = name
		t.setDefaults()
	}
	c.Auth.setDefaults()
	c.Jobs.setDefaults(c)
	for name, m := range c.Modules {
		m.Name = name
		m.setDefaults(c)
	}
}

// setDefaults fills in a type's defaults; see the Type fields.
func (t *Type) setDefaults() {
	setZero(&t.Key, "id")
	setZero(&t.NewKeys, "database")
	storage := apos.Autopublish
	if t.Mode.Column != "" {
		storage = apos.Columns
	}
	setZero(&t.Storage, string(storage))
	if t.Localized == nil {
		localized := t.Locale.Column != "" || t.Mode.Column != "" || t.Storage == string(apos.Overlay)
		t.Localized = &localized
	}
	setZero(&t.PerPage, 50)
	setZero(&t.MaxPerPage, 1000)
	setZero(&t.ViewRole, apos.Anonymous.String())
	setZero(&t.EditRole, apos.Contributor.String())
	setZero(&t.PublishRole, apos.Editor.String())
	for i := range t.Fields {
		f := &t.Fields[i]
		setZero(&f.Column, f.Name)
		setZero(&f.Kind, string(apos.String))
		if f.Auto != "" {
			f.ReadOnly = true
		}
		for j := range f.Choices {
			setZero(&f.Choices[j].Label, capitalize(f.Choices[j].Value))
		}
	}
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
