package proxy

import (
	"slices"
	"strconv"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// arrayOp applies $push, $pullAll or $pullAllById to the array at key.
// Each reads the array once or twice, item by item, and writes the new
// one: no operator compares every item with every value.
func (p *patcher) arrayOp(op, key string, v gjson.Result) error {
	top, segs, err := p.d.patchPath(key)
	if err != nil || top == "" {
		return err
	}
	if err := p.b.charge(key, len(p.doc)+len(v.Raw)); err != nil {
		return err
	}
	if err := p.b.deep(key, len(segs), []byte(v.Raw)); err != nil {
		return err
	}
	cur := gjson.GetBytes(p.doc, key)
	if cur.Exists() && cur.Type != gjson.Null && !cur.IsArray() {
		return apos.NewError("invalid", "The path is not an array.", map[string]any{"dotPath": key})
	}
	if !cur.IsArray() {
		cur = gjson.Result{} // no items
	}
	var out rawArray
	switch op {
	case "$push":
		out = push(cur, v)
	case "$pullAll":
		out = pullAll(cur, v.Array())
	case "$pullAllById":
		ids := map[string]bool{}
		for _, id := range v.Array() {
			ids[id.String()] = true
		}
		cur.ForEach(func(_, it gjson.Result) bool {
			if !ids[it.Get("_id").String()] {
				out.add(it.Raw)
			}
			return true
		})
	}
	return p.setPath(key, out.String())
}

// push appends v to the items, or inserts v.$each at $position, $before
// or $after an item's _id (at the end when those are unknown or out of
// range).
func push(items, v gjson.Result) rawArray {
	var out rawArray
	each := v.Get(`\$each`)
	at := pushAt(items, v)
	i := 0
	items.ForEach(func(_, it gjson.Result) bool {
		if i == at {
			each.ForEach(func(_, x gjson.Result) bool { out.add(x.Raw); return true })
		}
		out.add(it.Raw)
		i++
		return true
	})
	switch {
	case !v.IsObject() || !each.Exists():
		out.add(v.Raw)
	case at >= i:
		each.ForEach(func(_, x gjson.Result) bool { out.add(x.Raw); return true })
	}
	return out
}

// pushAt returns the index a $push inserts its $each at; -1 for a plain
// value, which is appended.
func pushAt(items, v gjson.Result) int {
	if !v.IsObject() || !v.Get(`\$each`).Exists() {
		return -1
	}
	n := int(items.Get("#").Int())
	at := n
	if pos := v.Get(`\$position`); pos.Type == gjson.Number && pos.Int() >= 0 && pos.Int() <= int64(n) {
		at = int(pos.Int())
	}
	before, after := v.Get(`\$before`), v.Get(`\$after`)
	if !before.Exists() && !after.Exists() {
		return at
	}
	i := 0
	items.ForEach(func(_, it gjson.Result) bool {
		id := it.Get("_id").String()
		if before.Exists() && id == before.String() {
			at = i
		}
		if after.Exists() && id == after.String() {
			at = i + 1
		}
		i++
		return true
	})
	return at
}

// pullAll returns the items not deep-equal to any of drop, in linear
// time: values are compared by their canonical JSON.
func pullAll(items gjson.Result, drop []gjson.Result) rawArray {
	set := make(map[string]bool, len(drop))
	var buf []byte
	for _, x := range drop {
		buf = canonical(buf[:0], x)
		set[string(buf)] = true
	}
	var out rawArray
	items.ForEach(func(_, it gjson.Result) bool {
		buf = canonical(buf[:0], it)
		if !set[string(buf)] {
			out.add(it.Raw)
		}
		return true
	})
	return out
}

// canonical appends a JSON text that two values share exactly when they
// are deep-equal as JavaScript sees them: object keys sorted (the last of
// duplicate keys wins), numbers as float64, strings re-quoted.
func canonical(b []byte, r gjson.Result) []byte {
	switch {
	case r.IsArray():
		b = append(b, '[')
		for i, it := range r.Array() {
			if i > 0 {
				b = append(b, ',')
			}
			b = canonical(b, it)
		}
		return append(b, ']')
	case r.IsObject():
		return canonicalObject(b, r)
	}
	switch r.Type {
	case gjson.String:
		return strconv.AppendQuote(b, r.Str)
	case gjson.Number:
		n := r.Num
		if n == 0 {
			n = 0 // -0 equals 0
		}
		return strconv.AppendFloat(b, n, 'g', -1, 64)
	case gjson.True:
		return append(b, "true"...)
	case gjson.False:
		return append(b, "false"...)
	}
	return append(b, "null"...)
}

// canonicalObject is canonical for an object.
func canonicalObject(b []byte, r gjson.Result) []byte {
	vals := map[string]gjson.Result{}
	r.ForEach(func(k, v gjson.Result) bool {
		vals[k.Str] = v
		return true
	})
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(strconv.AppendQuote(b, k), ':')
		b = canonical(b, vals[k])
	}
	return append(b, '}')
}

// rawArray builds a JSON array from raw items.
type rawArray struct {
	b []byte
	n int
}

func (a *rawArray) add(raw string) {
	if a.n > 0 {
		a.b = append(a.b, ',')
	}
	a.b = append(a.b, raw...)
	a.n++
}

// String returns the array's JSON text.
func (a *rawArray) String() string { return "[" + string(a.b) + "]" }
