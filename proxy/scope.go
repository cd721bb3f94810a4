package proxy

import (
	"github.com/aposproxy/aposproxy/adapters"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

// scopeParams are the mode and locale query parameters of one request.
// Presence matters as much as value (docs/api-rules.md#4).
type scopeParams struct {
	locale, mode       string
	hasLocale, hasMode bool
	// prefix is the locale of the path's prefix (/fr/api/v1/...), which
	// takes the default locale's place (see localizePath).
	prefix string
}

// readScopeParams reads aposLocale/aposMode and their documented hyphenated
// spellings; when both spellings are sent the camelCase one wins
// (docs/api-rules.md#3). aposLocale=fr:draft sets both.
func readScopeParams(args *fasthttp.Args) scopeParams {
	var p scopeParams
	if v := args.Peek("aposLocale"); v != nil {
		p.locale, p.hasLocale = string(v), true
	} else if v := args.Peek("apos-locale"); v != nil {
		p.locale, p.hasLocale = string(v), true
	}
	if v := args.Peek("aposMode"); v != nil {
		p.mode, p.hasMode = string(v), true
	} else if v := args.Peek("apos-mode"); v != nil {
		p.mode, p.hasMode = string(v), true
	}
	if i := strings.IndexByte(p.locale, ':'); i >= 0 {
		p.locale, p.mode, p.hasMode = p.locale[:i], p.locale[i+1:], true
	}
	p.prefix = string(args.Peek(prefixLocaleArg))
	return p
}

// locales is the configured locale set.
type locales struct {
	def   string
	names map[string]bool // name -> private
	order []string
}

// has reports whether name is a configured locale.
func (l *locales) has(name string) bool { _, ok := l.names[name]; return ok }

// resolveScope chooses the scope of a request for a localized type, by the
// rules of docs/api-rules.md#3 to #5: a query parameter beats the _id's part, which
// beats the default. id may be zero (list routes). An unknown locale or a
// bad mode inside the _id finds nothing (notfound); a bad parameter falls
// back to the default silently, or is invalid when strict.
func (l *locales) resolveScope(p scopeParams, id apos.DocID, strict bool) (apos.Scope, error) {
	s := apos.Scope{Locale: l.def, Mode: apos.Published}
	if p.prefix != "" {
		s.Locale = p.prefix
	}
	switch {
	case p.hasLocale:
		if l.has(p.locale) {
			s.Locale = p.locale
		} else if strict {
			return s, apos.Errorf(apos.ErrInvalid, "Unknown locale %q.", p.locale)
		}
	case id.Locale != "":
		if !l.has(id.Locale) {
			return s, apos.ErrNotFound
		}
		s.Locale = id.Locale
	}
	switch {
	case p.hasMode:
		if m := apos.Mode(p.mode); m.Valid() {
			s.Mode = m
		} else if strict {
			return s, apos.Errorf(apos.ErrInvalid, "Unknown mode %q: use draft or published.", p.mode)
		}
	case id.Mode != "":
		if !id.Mode.Valid() {
			return s, apos.ErrNotFound
		}
		s.Mode = id.Mode
	}
	return s, nil
}

// scopeFor resolves the scope of a request from its query's scope
// parameters p and id, the parsed _id of its path (zero when it has none),
// and applies the draft gate to the mode it comes to.
func (s *Server) scopeFor(p scopeParams, id apos.DocID, who *apos.Principal) (apos.Scope, error) {
	scope, err := s.locales.resolveScope(p, id, s.strict)
	if err != nil {
		return scope, err
	}
	return scope, draftGate(scope.Mode, who)
}

// resolveID resolves the raw _id of a single-document request on d into
// the aposDocId and the scope to read or write (docs/api-rules.md#1, #4 to #6).
func (s *Server) resolveID(d *docType, raw string, p scopeParams, who *apos.Principal) (string, apos.Scope, error) {
	if d.page && raw == archiveID {
		raw = adapters.ArchiveID // the archive page's shortcut (docs/api-rules.md#148)
	}
	id, ok := apos.ParseID(raw)
	if !ok {
		return "", apos.Scope{}, apos.ErrNotFound
	}
	if !d.localized() {
		if id.Locale != "" {
			return "", apos.Scope{}, apos.ErrNotFound
		}
		return id.DocID, apos.Scope{Mode: apos.Published}, nil
	}
	scope, err := s.scopeFor(p, id, who)
	return id.DocID, scope, err
}
