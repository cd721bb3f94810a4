package upstream

import (
	"unsafe"

	"github.com/tidwall/gjson"
)

// itemPaths finds the values an item holds at the adapter's paths (its
// key, locale, mode and every field) in one pass over the item, where one
// gjson.Get per path would scan the item from its start each time: a GET
// reads some ten paths of the same item, and those scans were most of
// the adapter's work. A path is a slot; the values of an item are a slice
// indexed by slot.
//
// Plain paths (keys of letters, digits, '_' and '-', joined by dots) are
// found by the pass, which takes the first member of each name, as
// gjson.Get does. Every other path (wildcards, arrays, modifiers,
// escapes), and every plain path the pass does not find (absent, or under
// something that is not an object), is left to gjson.Get: each value is
// exactly what gjson.Get returns.
type itemPaths struct {
	paths []string // by slot
	root  pathNode
	// nodes counts the trie's nodes (the bits of the seen mask); plain
	// is the number of slots the pass can find.
	nodes, plain int
}

// pathNode is one key of the plain paths' trie.
type pathNode struct {
	key  string
	slot int // the slot of the path ending here, or -1
	bit  uint64
	kids []pathNode
}

// maxPathNodes bounds the trie by the bits of the mask that marks the
// members already met; paths past it go to gjson.Get.
const maxPathNodes = 64

// inlineSlots is the number of values a caller keeps on its stack; an
// adapter with more paths allocates its values.
const inlineSlots = 16

// add returns the slot of path, adding it when new.
func (p *itemPaths) add(path string) int {
	for i, q := range p.paths {
		if q == path {
			return i
		}
	}
	slot := len(p.paths)
	p.paths = append(p.paths, path)
	keys, ok := plainPath(path)
	if !ok {
		return slot
	}
	for n := &p.root; ; {
		kid := n.kid(keys[0])
		if kid == nil {
			// Every key from here on is new.
			if p.nodes+len(keys) > maxPathNodes {
				return slot
			}
			n.kids = append(n.kids, pathNode{key: keys[0], slot: -1, bit: 1 << p.nodes})
			p.nodes++
			kid = &n.kids[len(n.kids)-1]
		}
		if keys = keys[1:]; len(keys) == 0 {
			kid.slot = slot
			p.plain++
			return slot
		}
		n = kid
	}
}

// kid is n's child of key, or nil.
func (n *pathNode) kid(key string) *pathNode {
	for i := range n.kids {
		if n.kids[i].key == key {
			return &n.kids[i]
		}
	}
	return nil
}

// plainPath splits a path of plain keys, or reports that it is not one.
func plainPath(path string) ([]string, bool) {
	var keys []string
	start := 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != '.' {
			c := path[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
				return nil, false
			}
			continue
		}
		if i == start {
			return nil, false // an empty key
		}
		keys = append(keys, path[start:i])
		start = i + 1
	}
	return keys, true
}

// values returns the item's value at every slot, in buf when it is large
// enough.
func (p *itemPaths) values(item gjson.Result, buf []gjson.Result) []gjson.Result {
	var vals []gjson.Result
	if len(p.paths) <= len(buf) {
		vals = buf[:len(p.paths)]
		clear(vals)
	} else {
		vals = make([]gjson.Result, len(p.paths))
	}
	if p.plain > 0 && item.IsObject() {
		var seen uint64
		left := p.plain
		walk(item, &p.root, vals, &seen, &left)
	}
	for slot, v := range vals {
		if !v.Exists() {
			vals[slot] = item.Get(p.paths[slot])
		}
	}
	return vals
}

// walk visits the members of obj once, keeping the value of each path of
// n's subtree, and stops once every plain path is found.
func walk(obj gjson.Result, n *pathNode, vals []gjson.Result, seen *uint64, left *int) {
	obj.ForEach(func(k, v gjson.Result) bool {
		if kid := n.kid(k.Str); kid != nil && *seen&kid.bit == 0 {
			*seen |= kid.bit
			if kid.slot >= 0 {
				vals[kid.slot] = v
				*left--
			}
			if len(kid.kids) > 0 && v.IsObject() {
				walk(v, kid, vals, seen, left)
			}
		}
		return *left > 0
	})
}

// bytesView reads b as a string without copying it, for gjson: b is an
// answer's body, copied out of fasthttp's buffers and never changed
// after, so the results that point into it stay valid.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
