package app

import (
	"bytes"
	"log/slog"
	"testing"
)

// TestGenerationCloseQuiet: a generation with nothing in flight closes
// without warning of requests in flight, even with no time to wait, and
// closes its backends once however often it is closed (shutdown, then
// Serve's deferred close).
func TestGenerationCloseQuiet(t *testing.T) {
	for range 20 {
		var logs bytes.Buffer
		closed := 0
		p := &Program{log: slog.New(slog.NewTextHandler(&logs, nil)), closers: []func(){func() { closed++ }}}
		g := &generation{prog: p, drained: make(chan struct{})}
		g.close(0)
		g.close(0)
		if logs.Len() > 0 {
			t.Fatalf("closing a drained generation logged: %s", logs.String())
		}
		if closed != 1 {
			t.Fatalf("its backends were closed %d times, want once", closed)
		}
	}
}
