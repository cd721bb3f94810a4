package upstream

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
)

// TestBreakerFastPath: while closed, the breaker counts failures in a row
// without gobreaker's lock, a success starts the count again, and the
// threshold trips gobreaker itself; open and half-open are gobreaker's.
func TestBreakerFastPath(t *testing.T) {
	b := newBreaker("t", 3, 100*time.Millisecond)
	fail := errors.New("down")
	ran := 0
	call := func(err error) error { return b.execute(func() error { ran++; return err }) }
	for i, err := range []error{fail, fail, nil, fail, fail} {
		if got := call(err); got != err {
			t.Fatalf("call %d: %v", i, got)
		}
	}
	if s := b.State(); s != gobreaker.StateClosed {
		t.Fatalf("two failures in a row after a success: %v", s)
	}
	_ = call(fail)
	if s := b.State(); s != gobreaker.StateOpen {
		t.Fatalf("three failures in a row: %v", s)
	}
	ran = 0
	if err := call(nil); !errors.Is(err, gobreaker.ErrOpenState) || ran != 0 {
		t.Fatalf("open: %v, ran %d", err, ran)
	}
	time.Sleep(150 * time.Millisecond)
	if err := call(fail); err != fail || b.State() != gobreaker.StateOpen {
		t.Fatalf("a failed probe opens it again: %v, %v", err, b.State())
	}
	time.Sleep(150 * time.Millisecond)
	if err := call(nil); err != nil || b.State() != gobreaker.StateClosed {
		t.Fatalf("a good probe closes it: %v, %v", err, b.State())
	}
	// Closed again, the count starts from zero.
	_, _ = call(fail), call(fail)
	if s := b.State(); s != gobreaker.StateClosed {
		t.Fatalf("after closing: %v", s)
	}
}

// TestBreakerConcurrent: calls failing together trip the breaker once,
// and calls that started before it opened do not count against the next
// generation (run with -race).
func TestBreakerConcurrent(t *testing.T) {
	b := newBreaker("t", 5, time.Hour)
	fail := errors.New("down")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				_ = b.execute(func() error { return fail })
			}
		})
	}
	wg.Wait()
	if s := b.State(); s != gobreaker.StateOpen {
		t.Fatalf("%v", s)
	}
	if c := b.cb.Counts(); c.Requests != 0 {
		t.Errorf("open breaker counted %+v", c)
	}
}

// BenchmarkBreaker: a closed breaker's cost per call, on all cores at
// once, against gobreaker's Execute (its mutex) in the same run.
func BenchmarkBreaker(b *testing.B) {
	b.Run("gobreaker", func(b *testing.B) {
		cb := newBreaker("b", 5, time.Second).cb
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = cb.Execute(func() (struct{}, error) { return struct{}{}, nil })
			}
		})
	})
	b.Run("fast", func(b *testing.B) {
		br := newBreaker("b", 5, time.Second)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = br.execute(func() error { return nil })
			}
		})
	})
}
