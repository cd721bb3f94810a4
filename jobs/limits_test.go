package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/jobs"
)

// TestCaps: a runner refuses a job past its owner's cap or its total cap
// with ErrTooMany, and takes jobs again once running ones end.
func TestCaps(t *testing.T) {
	r, err := jobs.New(t.Context(), openStore(t), quiet, jobs.Options{Timeout: 10 * time.Second, MaxRunning: 2, MaxPerOwner: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	release := make(chan struct{})
	blocked := func(ctx context.Context, item string) (json.RawMessage, error) {
		<-release
		return nil, nil
	}
	start := func(owner string) (string, error) { return r.Start(t.Context(), owner, []string{"a"}, blocked) }
	first, err := start("u1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := start("u1"); !errors.Is(err, apos.ErrTooMany) {
		t.Fatalf("a second job of u1: %v, want toomany", err)
	}
	second, err := start("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := start("u2"); !errors.Is(err, apos.ErrTooMany) {
		t.Fatalf("a third job in all: %v, want toomany", err)
	}
	close(release)
	wait(t, r, first, "u1")
	wait(t, r, second, "")
	// The slots are given back just after the final save.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		_, err := start("u2")
		if err == nil {
			break
		}
		if !errors.Is(err, apos.ErrTooMany) || time.Now().After(deadline) {
			t.Fatalf("a job after the others ended: %v", err)
		}
	}
	if _, err := start("u1"); err != nil {
		t.Fatalf("u1 after its job ended: %v", err)
	}
}
