package endpoint

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

// body reads s as a JSON request body.
func body(contentType, s string) error {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetContentType(contentType)
	ctx.Request.SetBodyString(s)
	_, err := JSONBody(&ctx)
	return err
}

func nested(depth int) string {
	return `{"a":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + "}"
}

// TestJSONBodyDepth: a body nested deeper than MaxJSONDepth is a 400
// before anything reads it, however deep (100,000 levels made PostgreSQL
// answer 500 "stack depth limit exceeded" and SQLite store it).
func TestJSONBodyDepth(t *testing.T) {
	if err := body("application/json", nested(MaxJSONDepth)); err != nil {
		t.Fatalf("depth %d: %v", MaxJSONDepth, err)
	}
	for _, depth := range []int{MaxJSONDepth + 1, 100_000} {
		err := body("application/json", nested(depth))
		if !errors.Is(err, apos.ErrInvalid) || !strings.Contains(err.Error(), "deeper than 64") {
			t.Fatalf("depth %d: err = %v, want 400 invalid for the depth", depth, err)
		}
	}
	// Unclosed: refused for its depth before its end is looked for.
	if err := body("application/json", strings.Repeat(`{"a":`, 100_000)); !errors.Is(err, apos.ErrInvalid) {
		t.Fatalf("unclosed: %v", err)
	}
}

// TestJSONBodyDuplicateKeys: a key twice in one object is a 400 naming
// its path, in a JSON body and in a form, wherever it sits; the same key
// in two objects is no duplicate.
func TestJSONBodyDuplicateKeys(t *testing.T) {
	for _, tc := range []struct{ name, contentType, body, path string }{
		{"top level", "application/json", `{"title":"a","price":1,"title":"b"}`, "title"},
		{"a second price", "application/json", `{"price":1,"price":"abc"}`, "price"},
		{"written with an escape", "application/json", `{"title":"a","ti\u0074le":"b"}`, "title"},
		{"nested", "application/json", `{"attributes":{"tags":[{"n":1},{"n":1,"n":2}]}}`, "attributes.tags.1.n"},
		{"in a large object", "application/json", manyKeys(100) + `,"k7":0}`, "k7"},
		{"a form", "application/x-www-form-urlencoded", "from=1&into=2&from=3", "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := body(tc.contentType, tc.body)
			var v *apos.ValidationError
			if !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Path != tc.path || !strings.Contains(v.Fields[0].Msg, "twice") {
				t.Fatalf("err = %v, want 400 invalid naming %s", err, tc.path)
			}
		})
	}
	for _, ok := range []string{`{"a":{"n":1},"b":{"n":1}}`, `[{"n":1},{"n":1}]`, manyKeys(100) + "}", `{"a":1,"A":2}`} {
		if err := CheckJSON([]byte(ok)); err != nil {
			t.Fatalf("%.40s: %v", ok, err)
		}
	}
}

// manyKeys is an unclosed object of n keys k0, k1, ...
func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	return b.String()
}

// TestCheckJSONSyntax: the one pass accepts what encoding/json accepts,
// and refuses invalid UTF-8 in strings.
func TestCheckJSONSyntax(t *testing.T) {
	for _, s := range []string{
		`{}`, `[]`, `""`, `0`, `-0.5e+10`, `1E3`, `true`, `null`, ` {"a" : [ 1 , "x\"\\\/\b\f\n\r\t\u00e9" , {} , [] ] } `,
		`"é"`, `{"a":"` + "\U0001F600" + `"}`,
	} {
		if err := CheckJSON([]byte(s)); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{
		``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{a:1}`, `01`, `1.`, `.5`, `-`, `1e`, `+1`,
		`tru`, `nul`, `"a`, `"\x"`, `"\u12"`, "\"\x01\"", `{} {}`, `[}`, `{]`, `{"a":1]`, "\"\xff\"", "\"\xc3\"",
	} {
		if err := CheckJSON([]byte(s)); !errors.Is(err, apos.ErrInvalid) {
			t.Errorf("%q: err = %v, want invalid", s, err)
		}
	}
}

// FuzzCheckJSON: CheckJSON never accepts what encoding/json refuses, and
// accepts every valid UTF-8 document of allowed depth without duplicate
// keys.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"c"}]}`, `{"a":1,"a":2}`, `[[[[]]]]`, `"\u0041"`, `-1.5e3`, `{"a":{"a":{}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := CheckJSON(b)
		if err == nil && !json.Valid(b) {
			t.Fatalf("accepted %q, which encoding/json refuses", b)
		}
		if err != nil && json.Valid(b) && utf8.Valid(b) && err != errTooDeep {
			var v *apos.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("refused valid %q: %v", b, err)
			}
		}
	})
}

// BenchmarkJSONBody reads a product's PATCH body: the cost of the one
// checking pass on every write.
func BenchmarkJSONBody(b *testing.B) {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetContentType("application/json")
	ctx.Request.SetBodyString(`{"title":"Oak Stool","description":"A stool of oiled oak, for kitchens and workshops.",` +
		`"price":4500,"color":"black","inStock":true,"attributes":{"weight_g":2300,"tags":["stool","oak","kitchen"]},` +
		`"$push":{"attributes.tags":"sale"},"categoryId":3}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := JSONBody(&ctx); err != nil {
			b.Fatal(err)
		}
	}
}
