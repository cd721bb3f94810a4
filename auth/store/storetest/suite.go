// Package storetest is the behaviour suite every auth store must pass.
package storetest

import (
	"context"
	"errors"
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
	fail := func(key string, want int) {
		t.Helper()
		n, err := s.Fail(ctx, key, 3, window, lockout)
		if err != nil || n != want {
			t.Fatalf("Fail(%s) = %d, %v; want %d", key, n, err, want)
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
		fail("w", 1)
		fail("w", 2)
		count("w", 2)
		time.Sleep(window + 150*time.Millisecond)
		count("w", 0)
		fail("w", 1)
	})
	t.Run("lockout outlives the window", func(t *testing.T) {
		for i := 1; i <= 3; i++ {
			fail("l", i)
		}
		time.Sleep(window + 150*time.Millisecond)
		count("l", 3)
		time.Sleep(lockout)
		count("l", 0)
	})
	t.Run("reset", func(t *testing.T) {
		fail("r", 1)
		if err := s.Reset(ctx, "r"); err != nil {
			t.Fatal(err)
		}
		count("r", 0)
		if err := s.Reset(ctx, "never"); err != nil {
			t.Fatalf("resetting an unknown key: %v", err)
		}
	})
}

func concurrent(ctx context.Context, t *testing.T, s store.Store) {
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			if _, err := s.Fail(ctx, "c", 1000, time.Minute, time.Minute); err != nil {
				errs <- err
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
