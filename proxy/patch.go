package proxy

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// applyPatch applies a PATCH body (docs/api-rules.md#29) to a document's fields
// JSON: plain keys, dot paths into json fields, $push, $pullAll,
// $pullAllById, and _patches applied in order. It returns the patched
// fields JSON and the top-level fields it touched, which the caller then
// converts and validates like any write.
func (d *docType) applyPatch(doc []byte, body gjson.Result) ([]byte, map[string]bool, error) {
	touched := map[string]bool{}
	patches := []gjson.Result{body}
	if p := body.Get("_patches"); p.Exists() {
		if !p.IsArray() {
			return nil, nil, apos.Errorf(apos.ErrInvalid, "_patches must be an array.")
		}
		patches = p.Array()
	}
	var err error
	for _, p := range patches {
		if !p.IsObject() {
			return nil, nil, apos.Errorf(apos.ErrInvalid, "Each patch must be an object.")
		}
		if doc, err = d.applyOne(doc, p, touched); err != nil {
			return nil, nil, err
		}
	}
	return doc, touched, nil
}

// applyOne applies one patch object. As in Apostrophe, at most one
// operator is honoured, by precedence $push, $pullAll, $pullAllById.
func (d *docType) applyOne(doc []byte, p gjson.Result, touched map[string]bool) ([]byte, error) {
	var err error
	p.ForEach(func(k, v gjson.Result) bool {
		key := k.Str
		if strings.HasPrefix(key, "$") || d.ignoredKey(key) && !strings.Contains(key, ".") {
			return true
		}
		doc, err = d.setPath(doc, key, v.Raw, touched)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	for _, op := range []string{"$push", "$pullAll", "$pullAllById"} {
		o := p.Get(gjson.Escape(op))
		if !o.Exists() {
			continue
		}
		if !o.IsObject() {
			return nil, apos.Errorf(apos.ErrInvalid, "%s must be an object.", op)
		}
		o.ForEach(func(k, v gjson.Result) bool {
			doc, err = d.arrayOp(doc, op, k.Str, v, touched)
			return err == nil
		})
		break
	}
	return doc, err
}

// patchPath checks a client dot path and returns its top-level field and
// the sjson path. Segments are field names or array indexes only, so
// that no gjson/sjson path syntax can come from a client.
func (d *docType) patchPath(key string) (string, string, error) {
	segs := strings.Split(key, ".")
	top := segs[0]
	f := d.fields[top]
	if f == nil || f.ReadOnly {
		if d.ignoredKey(top) && len(segs) == 1 {
			return "", "", nil
		}
		return "", "", apos.Invalid(key, "invalid", "Unknown field.")
	}
	if len(segs) > 1 && f.Kind != apos.JSON {
		return "", "", apos.Invalid(key, "invalid", "Only json fields have nested paths.")
	}
	for _, s := range segs {
		if s == "" || !isPathSegment(s) {
			return "", "", apos.Invalid(key, "invalid", "Bad path.")
		}
	}
	return top, key, nil
}

func isPathSegment(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// setPath sets key (a field or a dot path) to the raw JSON value.
func (d *docType) setPath(doc []byte, key, raw string, touched map[string]bool) ([]byte, error) {
	top, path, err := d.patchPath(key)
	if err != nil || top == "" {
		return doc, err
	}
	if path != top {
		if err := checkWalk(doc, path); err != nil {
			return nil, err
		}
	}
	out, err := sjson.SetRawBytes(doc, path, []byte(raw))
	if err != nil {
		return nil, apos.Invalid(key, "invalid", "Bad path.")
	}
	touched[top] = true
	return out, nil
}

// checkWalk refuses a dot path that walks through a value that is neither
// an object nor an array (sjson would silently replace it).
func checkWalk(doc []byte, path string) error {
	segs := strings.Split(path, ".")
	for i := 1; i < len(segs); i++ {
		parent := gjson.GetBytes(doc, strings.Join(segs[:i], "."))
		if !parent.Exists() || parent.Type == gjson.Null {
			if i == 1 {
				return nil // an empty json field: the path creates it
			}
			return apos.Invalid(path, "invalid", "The path does not exist.")
		}
		if parent.IsArray() {
			if _, err := strconv.Atoi(segs[i]); err != nil {
				return apos.Invalid(path, "invalid", "Array items are addressed by index.")
			}
			continue
		}
		if !parent.IsObject() {
			return apos.Invalid(path, "invalid", "The path walks into a value that is not an object.")
		}
	}
	return nil
}

// arrayOp applies $push, $pullAll or $pullAllById to the array at key.
func (d *docType) arrayOp(doc []byte, op, key string, v gjson.Result, touched map[string]bool) ([]byte, error) {
	top, path, err := d.patchPath(key)
	if err != nil {
		return nil, err
	}
	if top == "" {
		return doc, nil
	}
	cur := gjson.GetBytes(doc, path)
	if cur.Exists() && cur.Type != gjson.Null && !cur.IsArray() {
		return nil, apos.NewError("invalid", "The path is not an array.", map[string]any{"dotPath": key})
	}
	items := cur.Array()
	var out []gjson.Result
	switch op {
	case "$push":
		out = push(items, v)
	case "$pullAll":
		drop := v.Array()
		for _, it := range items {
			if !containsEqual(drop, it) {
				out = append(out, it)
			}
		}
	case "$pullAllById":
		ids := map[string]bool{}
		for _, id := range v.Array() {
			ids[id.String()] = true
		}
		for _, it := range items {
			if !ids[it.Get("_id").String()] {
				out = append(out, it)
			}
		}
	}
	return d.setPath(doc, key, joinRaw(out), touched)
}

// push appends v, or inserts v.$each at $position, $before or $after an
// item's _id (at the end when those are unknown or out of range).
func push(items []gjson.Result, v gjson.Result) []gjson.Result {
	each := v.Get(`\$each`)
	if !v.IsObject() || !each.Exists() {
		return append(items, v)
	}
	add := each.Array()
	at := len(items)
	if pos := v.Get(`\$position`); pos.Type == gjson.Number && pos.Int() >= 0 && int(pos.Int()) <= len(items) {
		at = int(pos.Int())
	}
	for i, it := range items {
		id := it.Get("_id").String()
		if b := v.Get(`\$before`); b.Exists() && id == b.String() {
			at = i
		}
		if a := v.Get(`\$after`); a.Exists() && id == a.String() {
			at = i + 1
		}
	}
	out := make([]gjson.Result, 0, len(items)+len(add))
	out = append(out, items[:at]...)
	out = append(out, add...)
	return append(out, items[at:]...)
}

// containsEqual reports whether list holds a value deep-equal to x.
func containsEqual(list []gjson.Result, x gjson.Result) bool {
	var xv any
	_ = json.Unmarshal([]byte(x.Raw), &xv)
	for _, l := range list {
		var lv any
		_ = json.Unmarshal([]byte(l.Raw), &lv)
		if reflect.DeepEqual(lv, xv) {
			return true
		}
	}
	return false
}

// joinRaw renders items as a JSON array.
func joinRaw(items []gjson.Result) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(it.Raw)
	}
	b.WriteByte(']')
	return b.String()
}
