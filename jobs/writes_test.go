package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/jobs"
	"github.com/tidwall/gjson"
)

// countingStore counts the writes a runner makes to its store and the
// bytes they carry.
type countingStore struct {
	jobs.Store
	writes, bytes atomic.Int64
}

func (c *countingStore) SaveJob(ctx context.Context, id, owner, runner string, ended bool, progress []byte, first int, entries [][]byte) error {
	c.writes.Add(1)
	n := len(progress)
	for _, e := range entries {
		n += len(e)
	}
	c.bytes.Add(int64(n))
	return c.Store.SaveJob(ctx, id, owner, runner, ended, progress, first, entries)
}

// TestWritesGrowLinearly runs jobs of 1,000, 2,000 and 4,000 items (one
// in ten failing) and checks that what the runner writes to its store
// grows linearly with the number of items: it saves in batches, a job of
// four times the items writes at most about four times the bytes, and
// about as many bytes as its final document holds, not that document once
// per item.
func TestWritesGrowLinearly(t *testing.T) {
	work := func(ctx context.Context, item string) (json.RawMessage, error) {
		if item[len(item)-1] == '7' {
			return nil, apos.ErrNotFound
		}
		return json.RawMessage(`{"_id":"` + item + `:en:draft"}`), nil
	}
	bytes := map[int]int64{}
	for _, n := range []int{1000, 2000, 4000} {
		st := &countingStore{Store: openStore(t)}
		r, err := jobs.New(t.Context(), st, quiet, jobs.Options{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		items := make([]string, n)
		for i := range items {
			items[i] = fmt.Sprintf("item-%06d", i)
		}
		id, err := r.Start(t.Context(), "", items, work)
		if err != nil {
			t.Fatal(err)
		}
		doc := wait(t, r, id, "")
		r.Close()
		if doc.Get("processed").Int() != int64(n) || doc.Get("bad").Int() != int64(n/10) {
			t.Fatalf("job of %d items: processed %s, bad %s", n, doc.Get("processed").Raw, doc.Get("bad").Raw)
		}
		bytes[n] = st.bytes.Load()
		t.Logf("%d items: %d writes, %d bytes written, final document %d bytes", n, st.writes.Load(), bytes[n], len(doc.Raw))
		if w := st.writes.Load(); w > int64(n/10) {
			t.Errorf("%d items: %d writes, more than one per ten items", n, w)
		}
		if limit := 2 * int64(len(doc.Raw)); bytes[n] > limit {
			t.Errorf("%d items: %d bytes written, more than twice the final document (%d bytes)", n, bytes[n], len(doc.Raw))
		}
	}
	if ratio := float64(bytes[4000]) / float64(bytes[1000]); ratio > 4.5 {
		t.Errorf("4,000 items wrote %.1f times the bytes of 1,000 items; linear growth is about 4", ratio)
	}
}

// TestProgressWhileRunning: a job's progress is saved SaveEvery after an
// item is done, while the next one is still at work, and exactly at the
// end.
func TestProgressWhileRunning(t *testing.T) {
	st := &countingStore{Store: openStore(t)}
	r, err := jobs.New(t.Context(), st, quiet, jobs.Options{Timeout: 10 * time.Second, SaveEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	release := make(chan struct{})
	id, err := r.Start(t.Context(), "", []string{"a", "b", "c", "d"}, func(ctx context.Context, item string) (json.RawMessage, error) {
		if item == "c" {
			<-release
		}
		if item == "b" {
			return nil, apos.ErrNotFound
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var doc []byte
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if doc, err = r.Get(t.Context(), id, ""); err != nil {
			t.Fatal(err)
		}
		if gjson.GetBytes(doc, "processed").Int() == 2 || time.Now().After(deadline) {
			break
		}
	}
	j := gjson.ParseBytes(doc)
	if j.Get("status").Str != "running" || j.Get("good").Int() != 1 || j.Get("bad").Int() != 1 ||
		j.Get("results.a").Raw != "true" || j.Get("errors.b.name").Str != "notfound" || j.Get("percentage").Str != "50.00" {
		t.Fatalf("progress while c is at work: %s", doc)
	}
	close(release)
	j = wait(t, r, id, "")
	if j.Get("status").Str != "completed" || j.Get("good").Int() != 3 || j.Get("processed").Int() != 4 ||
		j.Get("results.d").Raw != "true" || j.Get("percentage").Str != "100.00" {
		t.Fatalf("final document %s", j.Raw)
	}
}
