package proxy

import (
	"context"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// patcher applies one PATCH body to a document's fields JSON, within a
// budget (see patchLimits).
type patcher struct {
	d       *docType
	doc     []byte
	touched map[string]bool
	b       *budget
}

// applyPatch applies a PATCH body (docs/api-rules.md#29) to a document's fields
// JSON: plain keys, dot paths into json fields, $push, $pullAll,
// $pullAllById, and _patches applied in order. It returns the patched
// fields JSON and the top-level fields it touched, which the caller then
// converts and validates like any write. A patch that would pass lim is
// refused with a 400 naming the path; one still running at ctx's deadline
// stops.
func (d *docType) applyPatch(ctx context.Context, lim patchLimits, doc []byte, body gjson.Result) ([]byte, map[string]bool, error) {
	p := &patcher{d: d, doc: doc, touched: map[string]bool{}, b: newBudget(ctx, lim, doc)}
	patches := []gjson.Result{body}
	if ps := body.Get("_patches"); ps.Exists() {
		if !ps.IsArray() {
			return nil, nil, apos.Errorf(apos.ErrInvalid, "_patches must be an array.")
		}
		patches = ps.Array()
	}
	for _, one := range patches {
		if !one.IsObject() {
			return nil, nil, apos.Errorf(apos.ErrInvalid, "Each patch must be an object.")
		}
		if err := p.applyOne(one); err != nil {
			return nil, nil, err
		}
	}
	return p.doc, p.touched, nil
}

// applyOne applies one patch object. As in Apostrophe, at most one
// operator is honoured, by precedence $push, $pullAll, $pullAllById.
func (p *patcher) applyOne(one gjson.Result) error {
	var err error
	one.ForEach(func(k, v gjson.Result) bool {
		key := k.Str
		if strings.HasPrefix(key, "$") || p.d.ignoredKey(key) && !strings.Contains(key, ".") {
			return true
		}
		err = p.setPath(key, v.Raw)
		return err == nil
	})
	if err != nil {
		return err
	}
	for _, op := range []string{"$push", "$pullAll", "$pullAllById"} {
		o := one.Get(gjson.Escape(op))
		if !o.Exists() {
			continue
		}
		if !o.IsObject() {
			return apos.Errorf(apos.ErrInvalid, "%s must be an object.", op)
		}
		o.ForEach(func(k, v gjson.Result) bool {
			err = p.arrayOp(op, k.Str, v)
			return err == nil
		})
		break
	}
	return err
}

// patchPath checks a client dot path and returns its top-level field and
// its segments. Segments are field names or array indexes only, so that
// no gjson/sjson path syntax can come from a client.
func (d *docType) patchPath(key string) (string, []string, error) {
	segs := strings.Split(key, ".")
	top := segs[0]
	f := d.fields[top]
	if f == nil || f.ReadOnly {
		if d.ignoredKey(top) && len(segs) == 1 {
			return "", nil, nil
		}
		return "", nil, apos.Invalid(key, "invalid", "Unknown field.")
	}
	if len(segs) > 1 && f.Kind != apos.JSON {
		return "", nil, apos.Invalid(key, "invalid", "Only json fields have nested paths.")
	}
	for i, s := range segs {
		if s == "" || !isPathSegment(s) || pollutes(segs[:i+1]) {
			return "", nil, apos.Invalid(key, "invalid", "Bad path.")
		}
	}
	return top, segs, nil
}

// pollutes reports whether a path, up to its last segment, names an
// object's prototype in JavaScript (__proto__, constructor.prototype):
// a client that applied the patch would pollute every object
// (docs/api-rules.md, PATCH).
func pollutes(segs []string) bool {
	last := segs[len(segs)-1]
	return last == "__proto__" || last == "prototype" && len(segs) > 1 && segs[len(segs)-2] == "constructor"
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
func (p *patcher) setPath(key, raw string) error {
	top, segs, err := p.d.patchPath(key)
	if err != nil || top == "" {
		return err
	}
	if err := p.b.charge(key, len(p.doc)+len(raw)); err != nil {
		return err
	}
	// The fields object is depth 1; each segment below it one more.
	if err := p.b.deep(key, len(segs), []byte(raw)); err != nil {
		return err
	}
	if len(segs) > 1 {
		if err := walk(p.doc, key, segs); err != nil {
			return err
		}
	}
	out, err := sjson.SetRawBytes(p.doc, key, []byte(raw))
	if err != nil {
		return apos.Invalid(key, "invalid", "Bad path.")
	}
	if err := p.b.fits(key, out); err != nil {
		return err
	}
	p.doc = out
	p.touched[top] = true
	return nil
}

// walk checks a dot path before sjson sets it, since sjson would silently
// replace a value the path walks through, and pad an array with nulls up
// to any index: the path must walk through objects and arrays that exist,
// and each index may be at most its array's length (one past the end
// appends). Under an empty field the path creates what it names, where
// an index can only be 0.
func walk(doc []byte, key string, segs []string) error {
	cur := gjson.GetBytes(doc, segs[0])
	for i, seg := range segs[1:] {
		switch {
		case !cur.Exists() || cur.Type == gjson.Null:
			if i > 0 {
				return apos.Invalid(key, "invalid", "The path does not exist.")
			}
			return creates(key, segs[1:])
		case cur.IsArray():
			n, err := strconv.Atoi(seg)
			if err != nil {
				return apos.Invalid(key, "invalid", "Array items are addressed by index.")
			}
			if n > int(cur.Get("#").Int()) {
				return apos.Invalid(key, "invalid", "An index can be at most the length of its array.")
			}
		case !cur.IsObject():
			return apos.Invalid(key, "invalid", "The path walks into a value that is not an object.")
		}
		cur = cur.Get(seg)
	}
	return nil
}

// creates checks the segments a path creates: sjson makes an array for
// each numeric one, padded up to its index, so only 0 is allowed.
func creates(key string, segs []string) error {
	for _, seg := range segs {
		if strings.Trim(seg, "0123456789") == "" && strings.Trim(seg, "0") != "" {
			return apos.Invalid(key, "invalid", "An index can be at most the length of its array.")
		}
	}
	return nil
}
