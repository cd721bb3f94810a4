package proxy

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// clientError checks that err is one a client may see: a named error of
// Apostrophe's (or a validation error) that renders as a 4xx with a valid
// JSON body in Apostrophe's shape, never the masked 500 of an unknown error.
func clientError(t *testing.T, input string, err error) {
	t.Helper()
	var v *apos.ValidationError
	if e, ok := apos.AsError(err); !ok && !errors.As(err, &v) {
		t.Fatalf("%q: %T %v is not a named error", input, err, err)
	} else if ok && e.Name != "invalid" {
		t.Fatalf("%q: error named %q, want invalid", input, e.Name)
	}
	var ctx fasthttp.RequestCtx
	writeError(&ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), err)
	body := ctx.Response.Body()
	if s := ctx.Response.StatusCode(); s < 400 || s > 499 {
		t.Fatalf("%q: %v answers %d %s", input, err, s, body)
	}
	if !json.Valid(body) || !utf8.Valid(body) || gjson.GetBytes(body, "name").Str != "invalid" {
		t.Fatalf("%q: %v renders as %q", input, err, body)
	}
}

// FuzzParseList drives the list query-string parser over any query
// string (brackets, arrays, objects, huge numbers, broken escapes): it
// never panics, refuses only with a 400 invalid, and what it accepts is
// a query the adapters can run: a page whose offset fits, a page size
// within the type's maximum, sorts and filters on known fields only, ids
// that are ids, text compared in UTF-8 only.
func FuzzParseList(f *testing.F) {
	for _, q := range []string{
		"", "page=2&perPage=10", "sort[title]=1&sort[price]=-1", "sort[attributes]=1", "sort=title",
		"project[title]=1&project[price]=0", "project[]=1", "_ids[]=a:en:draft&_ids[0]=b&_ids=c,d", "_ids[a][b]=c",
		"price=5", "price[]=1&price[]=9", "price[0]=1&price[1]=2&price[2]=3", "price[min]=1", "price[]=2147483648",
		"weight=1e400", "weight=NaN", "weight=-Inf", "publishedOn=2025-02-30", "publishedOn[]=2025-01-01&publishedOn[]=x",
		"updatedAt=2025-01-01T00:00:00Z", "inStock=any", "inStock=null", "color=red&color=purple",
		"page=9223372036854775807", "page=99999999999999999999", "page=-1&perPage=-1", "perPage=1e9", "page=+5",
		"search=%00", "search=%ff%fe", "title=%27%20OR%201%3D1%20--", "title[$ne]=x", "title[__proto__]=1",
		"a[b][c][d][e]=1", "[]=1", "=1", "&&&", "%", "%zz=1", "a=%", "choices=color,price&counts=title",
		"autocomplete=", "autocomplete=%20", "count=1", "withPublished=yes", "aposLocale=fr&aposMode=draft",
	} {
		f.Add(q)
	}
	d := testType()
	d.fields["price"].Min, d.fields["price"].Max = math.MinInt32, math.MaxInt32
	f.Fuzz(func(t *testing.T, query string) {
		lr, err := d.parseList(parseArgs(query))
		if err != nil {
			clientError(t, query, err)
			return
		}
		q := lr.q
		if q.Page < 1 || q.PerPage < 1 || q.PerPage > d.maxPerPage || q.Page > math.MaxInt/q.PerPage {
			t.Fatalf("%q: page %d, perPage %d", query, q.Page, q.PerPage)
		}
		for _, s := range q.Sort {
			if f := d.fields[s.Field]; f == nil || f.Kind == apos.JSON {
				t.Fatalf("%q: sort on %q", query, s.Field)
			}
		}
		for _, flt := range q.Filters {
			if f := d.fields[flt.Field]; f == nil || f.Kind == apos.JSON || len(flt.Values) == 0 || len(flt.Values) > 2 && f.Kind != apos.Select {
				t.Fatalf("%q: filter %+v", query, flt)
			}
			for _, v := range flt.Values {
				if n, ok := v.(int64); ok && (n < math.MinInt32 || n > math.MaxInt32) {
					t.Fatalf("%q: %s = %d, past its column's range", query, flt.Field, n)
				}
			}
		}
		if !utf8.ValidString(q.Search) || !utf8.ValidString(q.Autocomplete) {
			t.Fatalf("%q: search %q, autocomplete %q", query, q.Search, q.Autocomplete)
		}
		for _, flt := range q.Filters {
			if s, ok := flt.Values[0].(string); ok && !utf8.ValidString(s) {
				t.Fatalf("%q: %s filters on %q", query, flt.Field, s)
			}
		}
		for _, name := range q.Project {
			if d.fields[name] == nil {
				t.Fatalf("%q: projects %q", query, name)
			}
		}
		for _, id := range q.IDs {
			if _, ok := apos.ParseID(id); !ok {
				t.Fatalf("%q: id %q", query, id)
			}
		}
	})
}
