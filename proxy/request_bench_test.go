package proxy

import (
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// The front end's pure hot paths, apart from any backend: what every GET
// parses (scope and list parameters) and renders (one document). The
// whole handler is measured in server_bench_test.go, and against a bare
// handler by `go run ./bench`.

func BenchmarkReadScope(b *testing.B) {
	l := &locales{def: "en", names: map[string]bool{"en": false, "fr": false}}
	args := parseArgs("aposLocale=fr&perPage=10")
	id, _ := apos.ParseID("P-1004:en:published")
	b.ReportAllocs()
	for b.Loop() {
		if s, err := l.resolveScope(readScopeParams(args), id, false); err != nil || s.Locale != "fr" {
			b.Fatal(s, err)
		}
	}
}

func BenchmarkParseList(b *testing.B) {
	d := testType()
	for _, bc := range []struct{ name, query string }{
		{"page", "aposLocale=en&perPage=10&page=3"},
		{"filters and sort", "perPage=10&sort[price]=-1&color[]=red&inStock=true&price[]=100&price[]=5000&search=oak"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			args := parseArgs(bc.query)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.parseList(args); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendDoc(b *testing.B) {
	d := testType()
	d.typeJSON = []byte(`"type":"product","metaType":"doc"`)
	d.slugFromTitle = true
	rec := &adapters.Record{DocID: "P-1001", Scope: apos.Scope{Locale: "en", Mode: apos.Published},
		Fields: []byte(`{"title":"Nordic Sofa","price":5259,"weight":2.5,"color":"red","inStock":true,` +
			`"attributes":{"weight_g":2840,"tags":["sofa","green"]},"publishedOn":"2024-01-05","updatedAt":"2025-08-05T17:42:00.000Z"}`)}
	editor := &apos.Principal{Role: apos.Editor}
	for _, bc := range []struct {
		name string
		who  *apos.Principal
		p    *projection
	}{
		{"anonymous", apos.Nobody, nil},
		{"editor", editor, nil},
		{"projected", apos.Nobody, &projection{include: true, fields: map[string]bool{"title": true, "price": true}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				buf = d.appendDoc(buf[:0], rec, bc.who, bc.p)
			}
		})
	}
}
