package proxy

import (
	"bytes"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/valyala/fasthttp"
)

// prefixLocaleArg carries the locale of the request's path prefix
// (/fr/api/v1/...) from the front door to readScopeParams, as a query
// argument no client can set: the front door drops any it is sent.
const prefixLocaleArg = "aposproxy-prefix-locale"

// localizePath runs before routing. It strips a configured locale prefix
// from the path, so that /fr/api/v1/article reaches the article API in
// locale fr (as Apostrophe's i18n middleware does), and it answers 404 to
// an anonymous caller that names a private locale, by prefix, aposLocale
// or an _id. It reports whether the request may go on.
func (s *Server) localizePath(ctx *fasthttp.RequestCtx) bool {
	args := ctx.QueryArgs()
	args.Del(prefixLocaleArg)
	var named []string
	// The raw path, as the router matches it: an encoded "/" in an _id
	// must stay encoded once the prefix is gone.
	path := ctx.URI().PathOriginal()
	for _, l := range s.cfg.Locales.List {
		rest, ok := bytes.CutPrefix(path, []byte(l.Prefix))
		if l.Prefix == "" || !ok || len(rest) > 0 && rest[0] != '/' {
			continue
		}
		if len(rest) == 0 {
			rest = []byte("/")
		}
		ctx.URI().SetPathBytes(append([]byte(nil), rest...))
		args.Set(prefixLocaleArg, l.Name)
		named = append(named, l.Name)
		break
	}
	if !s.locales.anyPrivate() {
		return true
	}
	if p := readScopeParams(args); p.hasLocale {
		named = append(named, p.locale)
	}
	for seg := range strings.SplitSeq(string(ctx.Path()), "/") {
		if id, ok := apos.ParseID(seg); ok && id.Locale != "" {
			named = append(named, id.Locale)
		}
	}
	for _, name := range named {
		if !s.locales.names[name] {
			continue
		}
		who, err := s.authenticate(ctx)
		if err == nil && !s.locales.visible(name, who) {
			err = apos.ErrNotFound
		}
		if err != nil {
			writeError(ctx, s.log, err)
			return false
		}
		return true
	}
	return true
}

// anyPrivate reports whether some locale is private.
func (l *locales) anyPrivate() bool {
	for _, private := range l.names {
		if private {
			return true
		}
	}
	return false
}

// visible reports whether who may see locale name: private locales are
// invisible to anonymous callers (Apostrophe's matchLocale).
func (l *locales) visible(name string, who *apos.Principal) bool {
	return !l.names[name] || who.Authenticated()
}

// routeI18n registers GET /@apostrophecms/i18n/locales: the configured
// locales, {"en":{"label":"English","direction":"ltr",...}}, with _edit
// for callers who may edit, and without private locales for anonymous
// callers.
func (s *Server) routeI18n() error {
	return s.AddRoute(endpoint.Route{
		Method: fasthttp.MethodGet,
		Path:   s.cfg.Server.Prefix + "/@apostrophecms/i18n/locales",
		Handler: func(r *endpoint.Request) ([]byte, error) {
			b := []byte{'{'}
			n := 0
			for _, l := range s.cfg.Locales.List {
				if !s.locales.visible(l.Name, r.Who) {
					continue
				}
				if n > 0 {
					b = append(b, ',')
				}
				n++
				b = appendString(b, l.Name)
				b = append(b, `:{"label":`...)
				b = appendString(b, l.Label)
				b = append(b, `,"direction":"ltr"`...)
				if l.Prefix != "" {
					b = append(b, `,"prefix":`...)
					b = appendString(b, l.Prefix)
				}
				if l.Private {
					b = append(b, `,"private":true`...)
				}
				if r.Who.CanViewDraft() {
					b = append(b, `,"_edit":true`...)
				}
				b = append(b, '}')
			}
			return append(b, '}'), nil
		},
	})
}
