package proxy

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// The fixed document FuzzApplyPatch patches, and the limits it patches
// it under: a body limit of 4 KiB, so that the fuzzer reaches the size,
// depth and work limits with small inputs.
const fuzzPatchDoc = `{"title":"A","price":5,"weight":1.5,"color":"red","inStock":true,"publishedOn":"2025-01-02",` +
	`"attributes":{"tags":["x","y",{"_id":"t1"},{"_id":"t2","n":[1,2]}],"a":[[],[[]]],"o":{"k":1,"__proto__":{"p":1}}}}`

const fuzzPatchBodyLimit = 4096

// The costs a patch may have. What it adds to the document is at most a
// multiple of its body's size: each path segment creates at most an
// object or an array around a value that comes from the body, and no
// operator copies what the document holds into a second place. What it
// allocates is at most a multiple of the work budget (each operator is
// charged the document it copies) plus a multiple of the body (parsing
// its values).
const (
	patchGrowthFactor    = 4
	patchAllocPerWork    = 16
	patchAllocPerBodyLen = 64
	patchAllocBase       = 64 << 10
)

// FuzzApplyPatch drives PATCH bodies (dot paths, $push with $each and
// $position/$before/$after, $pullAll, $pullAllById, _patches) over a fixed
// document: no body panics, a refusal is a 400 invalid, and an accepted
// patch leaves valid JSON within the size and depth limits. No body makes
// the document grow by more than a fixed multiple of its own size, nor
// allocates more than its work budget allows; both checks count bytes,
// so that they hold or fail the same way on every run.
func FuzzApplyPatch(f *testing.F) {
	for _, b := range []string{
		`{}`, `{"title":"B"}`, `{"title":null,"price":"7"}`, `{"attributes.tags.2":"z"}`, `{"attributes.tags.99999":1}`,
		`{"attributes.tags.-1":1}`, `{"attributes.tags.#":1}`, `{"attributes.tags.*":1}`, `{"attributes.o.k.z":1}`,
		`{"attributes..x":1}`, `{"attributes.o.__proto__.polluted":1}`, `{"attributes.constructor.prototype.x":1}`,
		`{"__proto__":{"admin":true}}`, `{"constructor":{"prototype":{"x":1}}}`, `{"updatedAt":"2020-01-01"}`,
		`{"_id":"x","slug":"s","attributes.a.0.0":1}`, `{"attributes.new.0.0.0":[1]}`, `{"attributes":null,"attributes.x.5":1}`,
		`{"$push":{"attributes.tags":"z"}}`, `{"$push":{"attributes.tags":{"$each":["p","q"],"$position":1}}}`,
		`{"$push":{"attributes.tags":{"$each":["p"],"$before":"t2"}}}`, `{"$push":{"attributes.tags":{"$each":["p"],"$after":"t1"}}}`,
		`{"$push":{"attributes.tags":{"$each":[1],"$position":-5}}}`, `{"$push":{"attributes.o":1}}`, `{"$push":{"title":1}}`,
		`{"$pullAll":{"attributes.tags":["x",{"_id":"t1"}]}}`, `{"$pullAllById":{"attributes.tags":["t1","t2"]}}`,
		`{"$pullAll":{"attributes.tags":"x"}}`, `{"$push":1}`, `{"$pullAll":{"attributes.nosuch":[1]}}`,
		`{"_patches":[{"title":"1"},{"$push":{"attributes.tags":"w"}},{"attributes.tags.0":"v"}]}`, `{"_patches":{}}`,
		`{"_patches":[1]}`, `{"_patches":[{"_patches":[{"title":"x"}]}]}`, `{"title":"a","title":"b"}`,
		`{"attributes.b":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`,
		`{"attributes` + strings.Repeat(".a", 70) + `":1}`,
		`{"_patches":[` + strings.TrimSuffix(strings.Repeat(`{"$push":{"attributes.tags":{"$each":[1,2,3,4,5,6,7,8]}}},`, 40), ",") + `]}`,
		`{"_patches":[` + strings.TrimSuffix(strings.Repeat(`{"attributes.z":{}},`, 400), ",") + `]}`,
		`[1]`, `"x"`, `null`,
	} {
		f.Add([]byte(b))
	}
	d := testType()
	lim := newPatchLimits(fuzzPatchBodyLimit)
	doc := []byte(fuzzPatchDoc)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte) {
		if !gjson.ValidBytes(body) {
			return // endpoint.JSONBody refuses it before any patch
		}
		parsed := gjson.ParseBytes(body)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		out, touched, err := d.applyPatch(ctx, lim, doc, parsed)
		runtime.ReadMemStats(&after)
		if allocated := after.TotalAlloc - before.TotalAlloc; allocated > uint64(patchAllocPerWork*lim.work+patchAllocPerBodyLen*len(body)+patchAllocBase) {
			t.Fatalf("%s: a body of %d bytes allocated %d bytes", body, len(body), allocated)
		}
		if err != nil {
			clientError(t, string(body), err)
			return
		}
		if !json.Valid(out) || !gjson.ParseBytes(out).IsObject() {
			t.Fatalf("%s: the patched document is not a JSON object: %s", body, out)
		}
		if len(out) > max(len(doc), lim.maxDoc) || len(out) > len(doc)+patchGrowthFactor*len(body) {
			t.Fatalf("%s: a body of %d bytes made a document of %d bytes from %d", body, len(body), len(out), len(doc))
		}
		if depth := jsonDepth(out); depth > max(lim.maxDepth, jsonDepth(doc)) {
			t.Fatalf("%s: the patched document is %d levels deep", body, depth)
		}
		for top := range touched {
			if f := d.fields[top]; f == nil || f.ReadOnly {
				t.Fatalf("%s: touched %q", body, top)
			}
		}
	})
}

// TestPatchPrototypePaths: paths naming a JavaScript prototype are 400
// invalid wherever they appear; a key that only looks like one is not.
func TestPatchPrototypePaths(t *testing.T) {
	d := testType()
	for _, path := range []string{"attributes.__proto__", "attributes.o.__proto__.p", "attributes.constructor.prototype",
		"attributes.a.constructor.prototype.x"} {
		for _, body := range []string{`{"` + path + `":1}`, `{"$push":{"` + path + `":1}}`, `{"_patches":[{"$pullAll":{"` + path + `":[1]}}]}`} {
			_, _, err := d.applyPatch(t.Context(), newPatchLimits(0), []byte(fuzzPatchDoc), gjson.Parse(body))
			refusedAt(t, err, path)
		}
	}
	out, _, err := d.applyPatch(t.Context(), newPatchLimits(0), []byte(fuzzPatchDoc), gjson.Parse(`{"attributes.prototype":1,"attributes.constructor":2}`))
	if err != nil || gjson.GetBytes(out, "attributes.constructor").Int() != 2 {
		t.Fatalf("got %s, %v", out, err)
	}
}
