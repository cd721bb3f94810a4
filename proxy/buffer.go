package proxy

import "sync"

// buffer is a pooled byte slice for rendering responses.
type buffer struct{ b []byte }

type bufferPool struct{ p sync.Pool }

var bufPool = &bufferPool{p: sync.Pool{New: func() any { return &buffer{b: make([]byte, 0, 4096)} }}}

func (p *bufferPool) get() *buffer { return p.p.Get().(*buffer) }

// put returns b to the pool unless it grew very large.
func (p *bufferPool) put(b *buffer) {
	if cap(b.b) <= 1<<20 {
		p.p.Put(b)
	}
}
