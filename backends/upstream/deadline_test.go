package upstream

import (
	"testing"
	"time"
)

// TestLazyDeadline checks that a deadline set on a connection is kept
// while it ends at most deadlineSlack after the one asked for, never
// before it, and that clearing it always goes through.
func TestLazyDeadline(t *testing.T) {
	var d lazyDeadline
	now := time.Now()
	step := func(ask time.Time, want time.Time, wantKept bool) {
		t.Helper()
		got, kept := d.next(ask)
		if !got.Equal(want) || kept != wantKept {
			t.Fatalf("next(%v) = %v, %v; want %v, %v", ask.Sub(now), got.Sub(now), kept, want.Sub(now), wantKept)
		}
		if !ask.IsZero() && (got.Before(ask) || got.Sub(ask) > deadlineSlack) {
			t.Fatalf("next(%v) = %v: not within deadlineSlack after it", ask.Sub(now), got.Sub(now))
		}
	}
	first := now.Add(time.Second)
	step(first, first.Add(deadlineSlack), false)
	step(first.Add(deadlineSlack/2), first.Add(deadlineSlack), true)
	step(first.Add(deadlineSlack), first.Add(deadlineSlack), true)
	later := first.Add(deadlineSlack + time.Millisecond)
	step(later, later.Add(deadlineSlack), false)
	// An earlier deadline than the one set is set, not kept.
	step(first, first.Add(deadlineSlack), false)
	step(time.Time{}, time.Time{}, false)
	step(time.Time{}, time.Time{}, false)
	step(first, first.Add(deadlineSlack), false)
}
