package app

import (
	"io"
	"sync"
	"time"
)

// logOutput is where the program's log goes (stderr): the request log's
// lines are gathered and written out in batches, at most every (Run:
// flushEvery) after the first of them and at once when flushSize bytes wait, instead
// of one write(2) per request, which was most of what the request log
// cost (docs/config.md, [log]). Every line of the program's own logger
// (Now) is written at once, with the lines gathered before it, so that
// startup, errors, reloads and the shutdown show without delay and in
// order. Close writes what waits; after it, lines are written at once.
type logOutput struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	every  time.Duration
	timer  *time.Timer // flushes buf; armed while buf holds lines
	armed  bool
	closed bool
}

// The request log's batches: a line waits at most flushEvery, and
// flushSize bytes (about a hundred lines) are written at once.
const (
	flushEvery = 100 * time.Millisecond
	flushSize  = 32 << 10
)

func newLogOutput(w io.Writer, every time.Duration) *logOutput {
	o := &logOutput{w: w, buf: make([]byte, 0, 2*flushSize), every: every}
	o.timer = time.AfterFunc(time.Hour, o.Flush)
	o.timer.Stop()
	return o
}

// Write gathers p, a line of the request log, for the next batch.
func (o *logOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return o.w.Write(p)
	}
	o.buf = append(o.buf, p...)
	switch {
	case len(o.buf) >= flushSize:
		o.flush()
	case !o.armed:
		o.armed = true
		o.timer.Reset(o.every)
	}
	return len(p), nil
}

// Now is the writer of the program's logger: each line is written at
// once, after the lines that wait.
func (o *logOutput) Now() io.Writer { return nowWriter{o} }

type nowWriter struct{ o *logOutput }

func (n nowWriter) Write(p []byte) (int, error) {
	n.o.mu.Lock()
	defer n.o.mu.Unlock()
	n.o.flush()
	return n.o.w.Write(p)
}

// Flush writes the lines that wait.
func (o *logOutput) Flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flush()
}

// Close writes the lines that wait; the lines that come after (a request
// that outlived the shutdown) are written at once.
func (o *logOutput) Close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flush()
	o.closed = true
	o.timer.Stop()
}

// flush writes buf out; o.mu is held. A failed write loses the batch, as
// it lost the line before batches: a log never stops the program.
func (o *logOutput) flush() {
	o.armed = false
	if len(o.buf) == 0 {
		return
	}
	_, _ = o.w.Write(o.buf)
	o.buf = o.buf[:0]
}
