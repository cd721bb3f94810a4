package proxy

import (
	"testing"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

func TestResolveScope(t *testing.T) {
	l := &locales{def: "en", names: map[string]bool{"en": false, "fr": false}}
	id := func(s string) apos.DocID {
		d, ok := apos.ParseID(s)
		if !ok {
			t.Fatalf("bad test id %q", s)
		}
		return d
	}
	tests := []struct {
		name    string
		query   string
		id      string
		strict  bool
		want    apos.Scope
		wantErr error
	}{
		{name: "defaults", want: apos.Scope{Locale: "en", Mode: apos.Published}},
		{name: "camelCase params", query: "aposLocale=fr&aposMode=draft", want: apos.Scope{Locale: "fr", Mode: apos.Draft}},
		{name: "hyphenated params", query: "apos-locale=fr&apos-mode=draft", want: apos.Scope{Locale: "fr", Mode: apos.Draft}},
		{name: "camelCase wins", query: "apos-locale=en&aposLocale=fr&apos-mode=published&aposMode=draft", want: apos.Scope{Locale: "fr", Mode: apos.Draft}},
		{name: "locale:mode", query: "aposLocale=fr:draft", want: apos.Scope{Locale: "fr", Mode: apos.Draft}},
		{name: "id sets both", id: "x:fr:draft", want: apos.Scope{Locale: "fr", Mode: apos.Draft}},
		{name: "param beats id", id: "x:fr:draft", query: "aposMode=published", want: apos.Scope{Locale: "fr", Mode: apos.Published}},
		{name: "bad param locale beats id and falls back", id: "x:fr:draft", query: "aposLocale=zz", want: apos.Scope{Locale: "en", Mode: apos.Draft}},
		{name: "bad mode param is published", query: "aposMode=bogus", want: apos.Scope{Locale: "en", Mode: apos.Published}},
		{name: "strict bad mode", query: "aposMode=bogus", strict: true, wantErr: apos.ErrInvalid},
		{name: "strict bad locale", query: "aposLocale=zz", strict: true, wantErr: apos.ErrInvalid},
		{name: "unknown locale in id", id: "x:zz:draft", wantErr: apos.ErrNotFound},
		{name: "previous in id", id: "x:en:previous", wantErr: apos.ErrNotFound},
		{name: "bare id completed", id: "x", query: "aposLocale=fr", want: apos.Scope{Locale: "fr", Mode: apos.Published}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args fasthttp.Args
			args.Parse(tt.query)
			var d apos.DocID
			if tt.id != "" {
				d = id(tt.id)
			}
			got, err := l.resolveScope(readScopeParams(&args), d, tt.strict)
			if tt.wantErr != nil {
				if err == nil || !errorsIs(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
