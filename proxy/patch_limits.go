package proxy

import (
	"context"
	"fmt"

	"github.com/aposproxy/aposproxy/apos"
)

// The limits of one PATCH. A patch is small, but its operators can make
// the server build a document far larger than the body (an index far past
// an array's end pads it with nulls) or scan the document once per
// operator, so each patch gets a budget of work.
const (
	// maxPatchDepth is the deepest nesting of a document's fields JSON
	// that a patch may leave (the fields object itself is depth 1).
	maxPatchDepth = 64
	// patchWorkFactor is how many times the largest document a patch may
	// scan and copy, over all its operators, before it is refused.
	patchWorkFactor = 64
	// defaultMaxDocBytes stands in for an unset max_body_bytes.
	defaultMaxDocBytes = 1 << 20
)

// patchLimits bound what one PATCH may make the server do.
type patchLimits struct {
	// maxDoc is the largest fields JSON a patch may leave: what one PUT
	// could send, server.max_body_bytes (docs/config.md).
	maxDoc int
	// maxDepth is the deepest nesting a patch may leave.
	maxDepth int
	// work is the bytes that the operators may scan and copy in all.
	work int
}

// newPatchLimits derives a patch's limits from the body limit.
func newPatchLimits(maxBodyBytes int) patchLimits {
	if maxBodyBytes <= 0 {
		maxBodyBytes = defaultMaxDocBytes
	}
	return patchLimits{maxDoc: maxBodyBytes, maxDepth: maxPatchDepth, work: patchWorkFactor * maxBodyBytes}
}

// budget is what is left of one patch's limits as its operators run. A
// stored document already past a limit may be patched, but not grow.
type budget struct {
	ctx context.Context
	patchLimits
}

// newBudget starts the budget of one patch of doc.
func newBudget(ctx context.Context, lim patchLimits, doc []byte) *budget {
	b := &budget{ctx: ctx, patchLimits: lim}
	b.maxDepth = max(b.maxDepth, jsonDepth(doc))
	if len(doc) > b.maxDoc {
		// As much work per byte as a document at the limit gets.
		b.work = int(int64(b.work) * int64(len(doc)) / int64(max(b.maxDoc, 1)))
		b.maxDoc = len(doc)
	}
	return b
}

// charge takes n bytes of work for the operator on key, and stops the
// patch when the request's deadline has passed.
func (b *budget) charge(key string, n int) error {
	if err := b.ctx.Err(); err != nil {
		return apos.Wrap(apos.ErrTimeout, "", err)
	}
	b.work -= n
	if b.work < 0 {
		return apos.Invalid(key, "invalid", "The patch does too much work: send it in several requests.")
	}
	return nil
}

// fits checks a document an operator on key left.
func (b *budget) fits(key string, doc []byte) error {
	if len(doc) > b.maxDoc {
		return apos.Invalid(key, "invalid", fmt.Sprintf("The document would be larger than %d bytes.", b.maxDoc))
	}
	return nil
}

// deep checks that a value set at a path of segs segments stays within
// the depth limit.
func (b *budget) deep(key string, segs int, raw []byte) error {
	if segs+jsonDepth(raw) > b.maxDepth {
		return apos.Invalid(key, "invalid", fmt.Sprintf("The document would be nested deeper than %d levels.", b.maxDepth))
	}
	return nil
}

// jsonDepth returns the deepest nesting of objects and arrays in a valid
// JSON text: 0 for a scalar, 1 for {} or [1].
func jsonDepth(raw []byte) int {
	depth, deepest := 0, 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			for i++; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
			deepest = max(deepest, depth)
		case '}', ']':
			depth--
		}
	}
	return deepest
}
