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

func throttle(ctx context.Context, t *testing.T, s store.Store) {
	const window, lockout = 200 * time.Millisecond, 600 * time.Millisecond
	reserve := func(key string, want bool) {
		t.Helper()
		if ok, err := s.Reserve(ctx, key, 3, window, lockout); err != nil || ok != want {
			t.Fatalf("Reserve(%s) = %v, %v; want %v", key, ok, err, want)
		}
	}
	count := func(key string, want int) {
		t.Helper()
		if n, err := s.Failures(ctx, key); err != nil || n != want {
			t.Fatalf("Failures(%s) = %d, %v; want %d", key, n, err, want)
		}
	}
	t.Run("window", func(t *testing.T) {
		count("w", 0)
		reserve("w", true)
		reserve("w", true)
		count("w", 2)
		time.Sleep(window + 150*time.Millisecond)
		count("w", 0)
		reserve("w", true)
		count("w", 1)
	})
	t.Run("lockout outlives the window", func(t *testing.T) {
		for range 3 {
			reserve("l", true)
		}
		reserve("l", false)
		count("l", 3)
		time.Sleep(window + 150*time.Millisecond)
		count("l", 3)
		reserve("l", false)
		time.Sleep(lockout)
		count("l", 0)
		reserve("l", true)
	})
	t.Run("reset", func(t *testing.T) {
		reserve("r", true)
		if err := s.Reset(ctx, "r"); err != nil {
			t.Fatal(err)
		}
		count("r", 0)
		if err := s.Reset(ctx, "never"); err != nil {
			t.Fatalf("resetting an unknown key: %v", err)
		}
		for range 3 {
			reserve("r", true)
		}
		reserve("r", false)
	})
	t.Run("release", func(t *testing.T) {
		release := func(key string) {
			t.Helper()
			if err := s.Release(ctx, key); err != nil {
				t.Fatalf("Release(%s): %v", key, err)
			}
		}
		for range 3 {
			reserve("g", true)
		}
		release("g")
		count("g", 2)
		reserve("g", true)
		reserve("g", false)
		for range 4 {
			release("g")
		}
		count("g", 0)
		reserve("g", true)
		count("g", 1)
		release("unknown")
		count("unknown", 0)
	})
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
