package proxy

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// FuzzConvert drives the conversion of write bodies to stored values (a
// POST, a PUT, and a PATCH of every field): it never panics, refuses with
// field errors only, and what it accepts can be stored the same way on
// every engine: text that is UTF-8, json values that are valid JSON,
// integers within their column's range, finite floats.
func FuzzConvert(f *testing.F) {
	for _, b := range []string{
		`{"title":"A","price":42,"weight":1.5,"color":"red","inStock":true,"attributes":{"a":[1]},"publishedOn":"2025-04-17"}`,
		`{"title":"A","price":"42","weight":"1e308","inStock":"1"}`, `{"title":"A","price":2147483648}`, `{"title":"A","weight":"NaN"}`,
		`{"title":"A","price":12.0,"weight":"-Inf"}`, `{"title":"A","price":1e400}`, `{"title":"   "}`, `{"title":"\u0000"}`,
		"{\"title\":\"a\xffb\"}", "{\"title\":\"A\",\"attributes\":{\"k\":\"\xfe\"}}", "{\"title\":\"A\",\"description\":\"\xc3\"}",
		`{"title":"A","attributes":"\ud800"}`, `{"title":"A","publishedOn":"2025-02-30","updatedAt":"x"}`, `{"nosuch":1,"_id":"x"}`,
	} {
		f.Add([]byte(b))
	}
	d := testType()
	d.fields["price"].Min, d.fields["price"].Max = math.MinInt32, math.MaxInt32
	all := map[string]bool{}
	for name := range d.fields {
		all[name] = true
	}
	st := stamp{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), by: "fuzz"}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !gjson.ValidBytes(body) {
			return
		}
		for _, w := range []write{writeInsert, writeReplace, writePatch} {
			vals, err := d.convert(gjson.ParseBytes(body), w, all, st)
			if err != nil {
				var v *apos.ValidationError
				if !errors.As(err, &v) || len(v.Fields) == 0 {
					t.Fatalf("%q: %T %v is not a list of field errors", body, err, err)
				}
				for _, fe := range v.Fields {
					if c := fe.Code(); c != 400 && c != 422 {
						t.Fatalf("%q: field error %+v answers %d", body, fe, c)
					}
				}
				continue
			}
			for _, v := range vals {
				storable(t, body, d.fields[v.Field], v.V)
			}
		}
	})
}

// storable checks one converted value.
func storable(t *testing.T, body []byte, f *apos.Field, v any) {
	t.Helper()
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) {
			t.Fatalf("%q: %s = %q is not UTF-8", body, f.Name, v)
		}
	case adapters.RawJSON:
		if !json.Valid(v) || !utf8.Valid(v) {
			t.Fatalf("%q: %s = %q is not JSON in UTF-8", body, f.Name, v)
		}
	case int64:
		if lo, hi := f.IntRange(); v < lo || v > hi {
			t.Fatalf("%q: %s = %d is past %d..%d", body, f.Name, v, lo, hi)
		}
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%q: %s = %v", body, f.Name, v)
		}
	}
}
