package upstream

import (
	"fmt"
	"testing"

	"github.com/tidwall/gjson"
)

// pathsUnderTest mixes plain paths (top-level, nested, a prefix of
// another, numeric keys) with paths the one pass leaves to gjson.Get
// (arrays, wildcards, modifiers, escapes).
var pathsUnderTest = []string{
	"id", "lang", "a.b", "a", "a.c.d", "x-y", "0", "arr.1", "arr.#", "w*", "@this", `dot\.key`, "n.m", "missing", "a.missing",
}

// TestItemPathsAsGjson: every value the one pass finds is what gjson.Get
// finds, for the first member of a name, nested objects, members that
// are not objects, escaped keys, nulls and absent paths.
func TestItemPathsAsGjson(t *testing.T) {
	items := []string{
		`{"id":"A-1","lang":"en","a":{"b":1,"c":{"d":"deep"}},"x-y":true,"0":"zero","arr":[1,2,3],"w1":"wild","dot.key":5,"n":{"m":null}}`,
		`{"id":"first","id":"second","a":{"b":"x"},"a":{"b":"y","c":{"d":2}}}`,
		`{"a":"not an object","a":{"b":3}}`,
		`{"\u0069d":"escaped key","a":{"\u0062":"escaped nested"}}`,
		`{"a":{"b":{"deeper":1}},"lang":null}`,
		`{}`,
		`[1,2]`,
		`"text"`,
	}
	var p itemPaths
	for _, path := range pathsUnderTest {
		p.add(path)
	}
	if p.plain == 0 || p.plain == len(p.paths) {
		t.Fatalf("%d plain paths of %d: the test needs both kinds", p.plain, len(p.paths))
	}
	for _, raw := range items {
		item := gjson.Parse(raw)
		vals := p.values(item, make([]gjson.Result, inlineSlots))
		for slot, path := range p.paths {
			if got, want := vals[slot], item.Get(path); !sameResult(got, want) {
				t.Errorf("%s at %q: %+v, gjson.Get gives %+v", raw, path, got, want)
			}
		}
	}
}

// TestItemPathsMany: more paths than a caller keeps on its stack, and
// more plain keys than the mask has bits, still read every value.
func TestItemPathsMany(t *testing.T) {
	var p itemPaths
	raw := "{"
	for i := range 80 {
		p.add(fmt.Sprintf("k%d.v", i))
		if i > 0 {
			raw += ","
		}
		raw += fmt.Sprintf(`"k%d":{"v":%d}`, i, i)
	}
	item := gjson.Parse(raw + "}")
	vals := p.values(item, make([]gjson.Result, inlineSlots))
	for slot, path := range p.paths {
		if got := vals[slot]; got.Int() != int64(slot) || !sameResult(got, item.Get(path)) {
			t.Errorf("%s: %+v", path, got)
		}
	}
}

// sameResult compares what the adapter reads of a result.
func sameResult(a, b gjson.Result) bool {
	return a.Type == b.Type && a.Raw == b.Raw && a.Str == b.Str && a.Num == b.Num && a.Exists() == b.Exists()
}

// FuzzItemPaths: on any valid item, the one pass agrees with gjson.Get.
func FuzzItemPaths(f *testing.F) {
	f.Add(`{"id":"A","a":{"b":1},"a":{"c":2}}`)
	f.Add(`{"lang":"en","n":{"m":[1]},"0":0}`)
	var p itemPaths
	for _, path := range pathsUnderTest {
		p.add(path)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !gjson.Valid(raw) {
			return
		}
		item := gjson.Parse(raw)
		vals := p.values(item, make([]gjson.Result, inlineSlots))
		for slot, path := range p.paths {
			if got, want := vals[slot], item.Get(path); !sameResult(got, want) {
				t.Errorf("%s at %q: %+v, gjson.Get gives %+v", raw, path, got, want)
			}
		}
	})
}
