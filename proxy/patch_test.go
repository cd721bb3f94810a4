package proxy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// refusedAt checks that err is a 400 invalid naming path.
func refusedAt(t *testing.T, err error, path string) {
	t.Helper()
	var v *apos.ValidationError
	if !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Path != path || v.Fields[0].Name != "invalid" {
		t.Fatalf("err = %v, want invalid at %s", err, path)
	}
}

// paddingKeys is a patch of n keys that each pad an array to index 99999.
func paddingKeys(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, `"attributes.a.%d.99999":1,`, i)
	}
	b.WriteString(`"title":"padded"}`)
	return b.String()
}

func TestPatchLimits(t *testing.T) {
	d := testType()
	empties := strings.TrimSuffix(strings.Repeat("[],", 100), ",")
	doc := `{"title":"A","attributes":{"tags":["x","y"],"a":[` + empties + `]}}`
	deep := "attributes" + strings.Repeat(".a", 64)
	tests := []struct {
		name, doc, body, path string
		lim                   patchLimits
	}{
		{name: "index far past the end", body: `{"attributes.tags.99999":1}`, path: "attributes.tags.99999"},
		{name: "index one past the next", body: `{"attributes.tags.3":1}`, path: "attributes.tags.3"},
		{name: "index overflowing int", body: `{"attributes.tags.99999999999999999999":1}`, path: "attributes.tags.99999999999999999999"},
		{name: "many padding keys", body: paddingKeys(100), path: "attributes.a.0.99999"},
		{name: "index under an empty field", doc: `{"attributes":null}`, body: `{"attributes.x.5":1}`, path: "attributes.x.5"},
		{name: "path deeper than the limit", doc: `{"attributes":null}`, body: `{"` + deep + `":1}`, path: deep},
		{name: "value deeper than the limit", body: `{"attributes.b":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}`, path: "attributes.b"},
		{name: "push deeper than the limit", body: `{"$push":{"attributes.tags":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}}`, path: "attributes.tags"},
		{name: "document past the size limit", body: `{"attributes.big":"` + strings.Repeat("x", 200) + `"}`, path: "attributes.big", lim: patchLimits{maxDoc: 200, maxDepth: 64, work: 1 << 20}},
		{name: "growth by many small keys", body: `{"_patches":[{"attributes.b":"` + strings.Repeat("x", 100) + `"},{"attributes.c":"` + strings.Repeat("x", 100) + `"}]}`, path: "attributes.c", lim: patchLimits{maxDoc: 500, maxDepth: 64, work: 1 << 20}},
		{name: "work past the budget", body: `{"title":"a","attributes.tags.0":"b","attributes.tags.1":"c"}`, path: "attributes.tags.0", lim: patchLimits{maxDoc: 1 << 20, maxDepth: 64, work: 2 * len(doc)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.doc == "" {
				tt.doc = doc
			}
			if tt.lim.maxDoc == 0 {
				tt.lim = newPatchLimits(1 << 20)
			}
			out, _, err := d.applyPatch(t.Context(), tt.lim, []byte(tt.doc), gjson.Parse(tt.body))
			if err == nil {
				t.Fatalf("no error; the document grew to %d bytes", len(out))
			}
			refusedAt(t, err, tt.path)
		})
	}
}

// TestPatchWithinLimits checks what the limits still allow: appending one
// past the end, creating index 0 under an empty field, and a stored
// document already past the limits, which may be patched without growing.
func TestPatchWithinLimits(t *testing.T) {
	d := testType()
	lim := patchLimits{maxDoc: 100, maxDepth: 3, work: 1 << 20}
	tests := []struct{ name, doc, body, path, want string }{
		{name: "append one past the end", doc: `{"attributes":{"t":["x"]}}`, body: `{"attributes.t.1":"y"}`, path: "attributes.t", want: `["x","y"]`},
		{name: "index 0 under an empty field", doc: `{"attributes":null}`, body: `{"attributes.t.0":"y"}`, path: "attributes", want: `{"t":["y"]}`},
		{name: "a large stored document", doc: `{"title":"` + strings.Repeat("x", 200) + `","attributes":{"a":{"b":{"c":1}}}}`,
			body: `{"title":"short","attributes.a.b.c":2}`, path: "attributes.a.b.c", want: `2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := d.applyPatch(t.Context(), lim, []byte(tt.doc), gjson.Parse(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := gjson.GetBytes(out, tt.path).Raw; got != tt.want {
				t.Fatalf("%s = %s, want %s", tt.path, got, tt.want)
			}
		})
	}
}

func TestPatchStopsAtTheDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := testType().applyPatch(ctx, newPatchLimits(0), []byte(`{"title":"A"}`), gjson.Parse(`{"title":"B"}`))
	if !errors.Is(err, apos.ErrTimeout) {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

// pullAllPatch builds a document of n tags and a $pullAll of m of them.
func pullAllPatch(n, m int) ([]byte, gjson.Result) {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf(`{"n":%d,"s":"tag"}`, i%1000)
	}
	drop := make([]string, m)
	for i := range drop {
		drop[i] = fmt.Sprintf(`{"s":"tag","n":%d.0}`, i)
	}
	doc := `{"attributes":{"tags":[` + strings.Join(tags, ",") + `]}}`
	return []byte(doc), gjson.Parse(`{"$pullAll":{"attributes.tags":[` + strings.Join(drop, ",") + `]}}`)
}

// TestPullAllIsLinear counts work, not time: a $pullAll of 200 values
// from 10,000 items allocates less than twice per item and value, where
// comparing each item with each value allocated for every pair (millions).
func TestPullAllIsLinear(t *testing.T) {
	d := testType()
	const n, m = 10_000, 200
	doc, body := pullAllPatch(n, m)
	allocs := testing.AllocsPerRun(3, func() {
		if _, _, err := d.applyPatch(t.Context(), newPatchLimits(0), doc, body); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2*(n+m) {
		t.Fatalf("$pullAll of %d values from %d items allocates %.0f times: not linear", m, n, allocs)
	}
	out, _, err := d.applyPatch(t.Context(), newPatchLimits(0), doc, body)
	if err != nil {
		t.Fatal(err)
	}
	if n := gjson.GetBytes(out, "attributes.tags.#").Int(); n != 8000 {
		t.Fatalf("%d tags left, want 8000", n)
	}
}

func TestCanonicalIsDeepEquality(t *testing.T) {
	same := [][2]string{
		{`{"a":1,"b":[1,{"c":null}]}`, `{"b":[1.0,{"c":null}],"a":1e0}`},
		{`-0`, `0`},
		{`"\u0041"`, `"A"`},
		{`{"a":1,"a":2}`, `{"a":2}`},
	}
	differ := [][2]string{{`1`, `"1"`}, {`[1,2]`, `[2,1]`}, {`{"a":1}`, `{"a":1,"b":1}`}, {`null`, `false`}, {`"a,b"`, `["a","b"]`}}
	canon := func(s string) string { return string(canonical(nil, gjson.Parse(s))) }
	for _, p := range same {
		if canon(p[0]) != canon(p[1]) {
			t.Errorf("%s and %s differ: %s, %s", p[0], p[1], canon(p[0]), canon(p[1]))
		}
	}
	for _, p := range differ {
		if canon(p[0]) == canon(p[1]) {
			t.Errorf("%s and %s are the same: %s", p[0], p[1], canon(p[0]))
		}
	}
}

// BenchmarkPullAll removes 200 values from arrays of growing length: the
// time per operation grows with the length only.
func BenchmarkPullAll(b *testing.B) {
	d := testType()
	for _, n := range []int{1_000, 10_000, 100_000} {
		doc, body := pullAllPatch(n, 200)
		b.Run(fmt.Sprintf("items=%d/values=200", n), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, _, err := d.applyPatch(b.Context(), newPatchLimits(8<<20), doc, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
