package proxy

import (
	"cmp"
	"context"
	"errors"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// maxExistIDs bounds the ids of one exist-in-locale request, so that the
// lists it runs stay within every engine's limit on bound values.
const maxExistIDs = 1000

// routeCore registers the routes of Apostrophe's core modules that do not
// belong to one type: the submitted-draft list, and the i18n module's
// locale switch and exist-in-locale.
func (s *Server) routeCore() error {
	s.routeSubmitted()
	base := s.cfg.Server.Prefix + "/@apostrophecms/i18n/"
	return s.AddRoutes(
		endpoint.Route{Name: "i18n", Method: fasthttp.MethodPost, Path: base + "locale", Handler: s.switchLocale},
		endpoint.Route{Name: "i18n", Method: fasthttp.MethodPost, Path: base + "exist-in-locale", Handler: s.existInLocale},
	)
}

// switchLocale serves POST @apostrophecms/i18n/locale {locale,
// contextDocId} (docs/api-rules.md#72): {"redirectTo"}, the URL to go to
// in the new locale. Apostrophe answers the context document's page there;
// documents here have no pages, so it is the document in this API when it
// exists in that locale (in the request's mode, else as a draft for a
// caller with view-draft), and otherwise the locale's home: its prefix,
// or "/" (where Apostrophe, without a base URL, answers "").
func (s *Server) switchLocale(r *endpoint.Request) ([]byte, error) {
	body, err := r.Body()
	if err != nil {
		return nil, err
	}
	locale := body.Get("locale")
	if locale.Type != gjson.String || !s.locales.has(locale.Str) || !s.locales.visible(locale.Str, r.Who) {
		return nil, apos.Errorf(apos.ErrInvalid, "invalid locale")
	}
	to := cmp.Or(s.localePrefix(locale.Str), "/")
	if id, ok := apos.ParseID(body.Get("contextDocId").String()); ok && id.DocID != "" {
		modes := []apos.Mode{r.Scope.Mode}
		if r.Scope.Mode != apos.Draft && r.Who.CanViewDraft() {
			modes = append(modes, apos.Draft)
		}
		for _, m := range modes {
			sc := apos.Scope{Locale: locale.Str, Mode: m}
			if d, err := s.findAnyType(r.Context, r.Who, sc, id.DocID); err != nil {
				return nil, err
			} else if d != nil {
				to = s.cfg.Server.Prefix + "/" + d.name + "/" + string(apos.AppendID(nil, id.DocID, sc))
				break
			}
		}
	}
	return append(appendString([]byte(`{"redirectTo":`), to), '}'), nil
}

// localePrefix is the path prefix of locale, "" when it has none.
func (s *Server) localePrefix(locale string) string {
	for _, l := range s.cfg.Locales.List {
		if l.Name == locale {
			return l.Prefix
		}
	}
	return ""
}

// findAnyType returns the first localized type, in the configuration's
// order, that who may view and that holds docID in scope; nil when none
// does. A backend that cannot be reached counts as not holding it, so
// that one service down does not break the question for every type.
func (s *Server) findAnyType(ctx context.Context, who *apos.Principal, sc apos.Scope, docID string) (*docType, error) {
	for _, name := range typeNames(s.cfg) {
		d := s.types[name]
		if !d.localized() || who.Role < d.viewRole {
			continue
		}
		_, err := d.backend.Get(ctx, sc, docID)
		switch {
		case err == nil:
			return d, nil
		case unreachable(err):
			s.log.Warn("i18n: a type's backend did not answer", "type", name, "err", err)
		case !errors.Is(err, apos.ErrNotFound):
			return nil, err
		}
	}
	return nil, nil
}

// unreachable reports whether err says a backend did not answer.
func unreachable(err error) bool {
	return errors.Is(err, apos.ErrBadGateway) || errors.Is(err, apos.ErrUnavailable) || errors.Is(err, apos.ErrTimeout)
}

// existInLocale serves POST @apostrophecms/i18n/exist-in-locale {ids,
// locale, mode} (docs/api-rules.md#72): which of the documents ids name
// exist in locale and mode (by default the mode of the first _id, else
// the request's), as {"originalLocaleIds","newLocaleIds","aposDocIds"}, in
// the order of ids. Anonymous callers get 404, as in Apostrophe.
func (s *Server) existInLocale(r *endpoint.Request) ([]byte, error) {
	if !r.Who.Authenticated() {
		return nil, apos.ErrNotFound
	}
	body, err := r.Body()
	if err != nil {
		return nil, err
	}
	ids, from := existIDs(body.Get("ids"), r.Scope)
	locale := body.Get("locale")
	if locale.Type != gjson.String || !s.locales.has(locale.Str) {
		return nil, apos.Errorf(apos.ErrInvalid, "invalid locale")
	}
	if len(ids) > maxExistIDs {
		return nil, apos.Errorf(apos.ErrInvalid, "At most %d ids at once.", maxExistIDs)
	}
	to := apos.Scope{Locale: locale.Str, Mode: from.Mode}
	if m := body.Get("mode"); m.Type == gjson.String && m.Str != "" {
		to.Mode = apos.Mode(m.Str)
	}
	if err := draftGate(to.Mode, r.Who); err != nil {
		return nil, err
	}
	found, err := s.existing(r.Context, r.Who, to, ids)
	if err != nil {
		return nil, err
	}
	var orig, next, docs []byte
	for _, id := range ids {
		if !found[id] {
			continue
		}
		orig = appendString(orig, string(apos.AppendID(nil, id, from)))
		next = appendString(next, string(apos.AppendID(nil, id, to)))
		docs = appendString(docs, id)
		orig, next, docs = append(orig, ','), append(next, ','), append(docs, ',')
	}
	b := append([]byte(`{"originalLocaleIds":[`), trimComma(orig)...)
	b = append(append(b, `],"newLocaleIds":[`...), trimComma(next)...)
	b = append(append(b, `],"aposDocIds":[`...), trimComma(docs)...)
	return append(b, "]}"...), nil
}

// existIDs reads the ids of exist-in-locale: the aposDocIds of the entries
// that are ids, each once, and the scope of the first one that is a full
// _id (else def), which the answer's originalLocaleIds use.
func existIDs(list gjson.Result, def apos.Scope) ([]string, apos.Scope) {
	var ids []string
	seen := map[string]bool{}
	from, first := def, true
	for _, v := range list.Array() {
		id, ok := apos.ParseID(v.String())
		if v.Type != gjson.String || !ok {
			continue
		}
		if first && id.Locale != "" {
			from = apos.Scope{Locale: id.Locale, Mode: id.Mode}
		}
		first = false
		if !seen[id.DocID] {
			seen[id.DocID] = true
			ids = append(ids, id.DocID)
		}
	}
	return ids, from
}

// existing asks every localized type who may view which of ids it holds
// in scope to, in one list each; the first type that holds an id claims
// it. An unreachable backend holds nothing (see findAnyType).
func (s *Server) existing(ctx context.Context, who *apos.Principal, to apos.Scope, ids []string) (map[string]bool, error) {
	found := map[string]bool{}
	if len(ids) == 0 || !to.Mode.Valid() {
		return found, nil
	}
	for _, name := range typeNames(s.cfg) {
		d := s.types[name]
		if !d.localized() || who.Role < d.viewRole {
			continue
		}
		page, err := d.backend.List(ctx, &adapters.Query{Scope: to, Page: 1, PerPage: len(ids), IDs: ids, Project: []string{}})
		if unreachable(err) {
			s.log.Warn("i18n: a type's backend did not answer", "type", name, "err", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, rec := range page.Records {
			found[rec.DocID] = true
		}
	}
	return found, nil
}

// trimComma drops a trailing comma.
func trimComma(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == ',' {
		return b[:n-1]
	}
	return b
}
