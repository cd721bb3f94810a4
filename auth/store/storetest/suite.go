// Package storetest is the behaviour suite every auth store must pass.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/auth/store"
)

// Run runs the suite. open returns a store over the test's backing
// storage; called twice, it must return two stores sharing it, as two
// proxy instances would.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	t.Run("grants", func(t *testing.T) { grants(ctx, t, s) })
	t.Run("expiry", func(t *testing.T) { expiry(ctx, t, s) })
	t.Run("shared", func(t *testing.T) { shared(ctx, t, s, open(t)) })
	t.Run("throttle", func(t *testing.T) { throttle(ctx, t, s) })
	t.Run("concurrent failures", func(t *testing.T) { concurrent(ctx, t, s) })
	t.Run("concurrent reservations stop at the limit", func(t *testing.T) { limited(ctx, t, s, open(t)) })
	t.Run("failures beside resets", func(t *testing.T) { besideResets(ctx, t, s) })
}

func grants(ctx context.Context, t *testing.T, s store.Store) {
	g := store.Grant{Source: "shop", UserID: "2", Stamp: "abc", Expires: time.Now().Add(time.Hour).Truncate(time.Millisecond)}
	tests := []struct {
		name string
		kind store.Kind
		id   string
	}{{"token", store.Token, "t1"}, {"session", store.Session, "s1"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Put(ctx, tt.kind, tt.id, g); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(ctx, tt.kind, tt.id)
			if err != nil || got.Source != g.Source || got.UserID != g.UserID || got.Stamp != g.Stamp || !got.Expires.Equal(g.Expires) {
				t.Fatalf("Get = %+v, %v; want %+v", got, err, g)
			}
			other := store.Session
			if tt.kind == store.Session {
				other = store.Token
			}
			if _, err := s.Get(ctx, other, tt.id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a %s is found as a %s: %v", tt.kind, other, err)
			}
			later := g
			later.Expires = g.Expires.Add(time.Hour)
			if err := s.Put(ctx, tt.kind, tt.id, later); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Get(ctx, tt.kind, tt.id); !got.Expires.Equal(later.Expires) {
				t.Fatalf("Put did not replace the grant: expires %v, want %v", got.Expires, later.Expires)
			}
			if err := s.Delete(ctx, tt.kind, tt.id); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get(ctx, tt.kind, tt.id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("after Delete, Get = %v", err)
			}
			if err := s.Delete(ctx, tt.kind, tt.id); err != nil {
				t.Fatalf("deleting a missing grant: %v", err)
			}
		})
	}
}

func expiry(ctx context.Context, t *testing.T, s store.Store) {
	g := store.Grant{Source: "shop", UserID: "1", Expires: time.Now().Add(150 * time.Millisecond)}
	if err := s.Put(ctx, store.Token, "short", g); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, store.Token, "short"); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := s.Get(ctx, store.Token, "short"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after expiry: %v", err)
	}
}

// shared checks that a second store over the same storage sees the
// first's grants and deletions at once.
func shared(ctx context.Context, t *testing.T, a, b store.Store) {
	g := store.Grant{Source: "shop", UserID: "3", Expires: time.Now().Add(time.Hour)}
	if err := a.Put(ctx, store.Token, "both", g); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, store.Token, "both"); err != nil {
		t.Fatalf("the other store does not see the grant: %v", err)
	}
	if err := b.Delete(ctx, store.Token, "both"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, store.Token, "both"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the first store still sees a grant the other deleted: %v", err)
	}
}

// The throttle's window and lockout in the suite, with a limit of 3.
const throttleWindow, throttleLockout = 200 * time.Millisecond, 600 * time.Millisecond

func throttle(ctx context.Context, t *testing.T, s store.Store) {
	th := throttler{ctx: ctx, s: s}
	past := wait(throttleWindow + 150*time.Millisecond)
	t.Run("window", func(t *testing.T) {
		th.play(t, "w", failures(0), reserve(true), reserve(true), failures(2), past, failures(0), reserve(true), failures(1))
	})
	t.Run("lockout outlives the window", func(t *testing.T) {
		th.play(t, "l", reserve(true), reserve(true), reserve(true), reserve(false), failures(3),
			past, failures(3), reserve(false), wait(throttleLockout), failures(0), reserve(true))
	})
	t.Run("reset", func(t *testing.T) {
		th.play(t, "r", reserve(true), reset, failures(0))
		th.play(t, "never", reset) // an unknown key
		th.play(t, "r", reserve(true), reserve(true), reserve(true), reserve(false))
	})
	t.Run("release", func(t *testing.T) {
		th.play(t, "g", reserve(true), reserve(true), reserve(true), release(1), failures(2),
			reserve(true), reserve(false), release(4), failures(0), reserve(true), failures(1))
		th.play(t, "unknown", release(1), failures(0))
	})
}

// throttler plays throttle scenarios on one store.
type throttler struct {
	ctx context.Context
	s   store.Store
}

// A step is one act of a throttle scenario on its key; it fails t on any
// answer other than the one wanted.
type step func(th throttler, t *testing.T, key string)

// play runs steps on key in order.
func (th throttler) play(t *testing.T, key string, steps ...step) {
	t.Helper()
	for _, st := range steps {
		st(th, t, key)
	}
}

// reserve reserves an attempt, which is allowed or not.
func reserve(want bool) step {
	return func(th throttler, t *testing.T, key string) {
		t.Helper()
		if ok, err := th.s.Reserve(th.ctx, key, 3, throttleWindow, throttleLockout); err != nil || ok != want {
			t.Fatalf("Reserve(%s) = %v, %v; want %v", key, ok, err, want)
		}
	}
}

// failures counts the key's failures.
func failures(want int) step {
	return func(th throttler, t *testing.T, key string) {
		t.Helper()
		if n, err := th.s.Failures(th.ctx, key); err != nil || n != want {
			t.Fatalf("Failures(%s) = %d, %v; want %d", key, n, err, want)
		}
	}
}

// release gives back n reservations, one at a time.
func release(n int) step {
	return func(th throttler, t *testing.T, key string) {
		t.Helper()
		for range n {
			if err := th.s.Release(th.ctx, key); err != nil {
				t.Fatalf("Release(%s): %v", key, err)
			}
		}
	}
}

// reset forgets the key's failures.
func reset(th throttler, t *testing.T, key string) {
	t.Helper()
	if err := th.s.Reset(th.ctx, key); err != nil {
		t.Fatalf("Reset(%s): %v", key, err)
	}
}

// wait lets time pass.
func wait(d time.Duration) step {
	return func(throttler, *testing.T, string) { time.Sleep(d) }
}

// concurrent counts 20 failures at once: all count.
func concurrent(ctx context.Context, t *testing.T, s store.Store) {
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			if ok, err := s.Reserve(ctx, "c", 1000, time.Minute, time.Minute); err != nil || !ok {
				errs <- fmt.Errorf("reserve = %v, %v", ok, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got, err := s.Failures(ctx, "c"); err != nil || got != n {
		t.Fatalf("after %d concurrent failures the count is %d (%v)", n, got, err)
	}
}

// limited makes 40 reservations at once, half through another store over
// the same storage, as a burst of logins spread over two proxy instances:
// exactly the limit of them get an attempt.
func limited(ctx context.Context, t *testing.T, a, b store.Store) {
	const n, limit = 40, 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	errs := make(chan error, n)
	for i := range n {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			ok, err := s.Reserve(ctx, "burst", limit, time.Minute, time.Minute)
			if err != nil {
				errs <- err
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got, err := a.Failures(ctx, "burst"); granted != limit || err != nil || got != limit {
		t.Fatalf("%d concurrent reservations with a limit of %d: %d granted, count %d (%v)", n, limit, granted, got, err)
	}
}

// besideResets counts failures while a success resets the same counter,
// as concurrent logins of one user with one right password do: no
// failure may be lost to an error.
func besideResets(ctx context.Context, t *testing.T, s store.Store) {
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds+rounds)
	for range workers {
		wg.Go(func() {
			for range rounds {
				if _, err := s.Reserve(ctx, "mixed", 1000, time.Minute, time.Minute); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Go(func() {
		for range rounds {
			if err := s.Reset(ctx, "mixed"); err != nil {
				errs <- err
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a failure beside a reset: %v", err)
	}
}
