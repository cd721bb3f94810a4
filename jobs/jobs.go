// Package jobs runs the API's batch operations (publish, archive, restore
// and localize over many documents) in the background, as Apostrophe's
// @apostrophecms/job module does: the request gets a job id at once, the
// items are worked on one after the other, a failed item does not stop
// the rest, and GET /api/v1/@apostrophecms/job/:id shows the progress.
// Job documents live in a Store, so that they outlive a restart.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// Store keeps job documents; sqlbackend.JobStore is one. A job's progress
// (its document without the items' outcomes) is replaced at each save;
// the outcomes, one entry per item, are appended, so that saving costs
// what changed, not the whole job.
type Store interface {
	// SaveJob stores the progress of job id, replacing any earlier one,
	// and appends entries, numbered from first (replacing any numbered
	// first or later), in one transaction; it renews the job's lease to
	// runner.
	SaveJob(ctx context.Context, id, owner, runner string, ended bool, progress []byte, first int, entries [][]byte) error
	// LoadJob returns a job's owner, progress and entries in order, read
	// together, or apos.ErrNotFound.
	LoadJob(ctx context.Context, id string) (owner string, progress []byte, entries [][]byte, err error)
	// Heartbeat renews the lease of runner's unfinished jobs.
	Heartbeat(ctx context.Context, runner string) error
	// StaleJobs lists the jobs not over yet whose lease was last renewed
	// before t.
	StaleJobs(ctx context.Context, t time.Time) ([]string, error)
}

// Progress is Apostrophe's job document without the items' outcomes.
type Progress struct {
	ID        string `json:"_id"`
	Good      int    `json:"good"`
	Bad       int    `json:"bad"`
	Processed int    `json:"processed"`
	Total     int    `json:"total"`
	// Status is running, completed (every item was tried) or failed (the
	// job stopped before the end).
	Status string `json:"status"`
	Ended  bool   `json:"ended"`
	When   string `json:"when"` // ISO-8601 UTC with milliseconds
}

// Job is Apostrophe's job document, plus why each failed item failed.
type Job struct {
	Progress
	// Results holds each good item's result, by item.
	Results map[string]json.RawMessage `json:"results"`
	// Errors holds each bad item's error, by item: {"name","message"}.
	Errors map[string]ItemError `json:"errors"`
}

// ItemError is why one item failed, in Apostrophe's error vocabulary.
type ItemError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// entry is one item's outcome as stored: its result or its error.
type entry struct {
	Item   string          `json:"id"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *ItemError      `json:"error,omitempty"`
}

// Work does the operation of a job on one item and returns the item's
// JSON result (nil: true).
type Work func(ctx context.Context, item string) (json.RawMessage, error)

// Options are a runner's limits.
type Options struct {
	// Timeout bounds each item, and each save.
	Timeout time.Duration
	// MaxRunning caps the jobs running at once, MaxPerOwner those of one
	// owner; a job over a cap is refused with apos.ErrTooMany. 0: no cap.
	MaxRunning, MaxPerOwner int
	// A running job's progress is saved once SaveItems items are done or
	// SaveEvery after the first unsaved one, whichever comes first, and
	// when it ends. Defaults 100 and 500ms.
	SaveItems int
	SaveEvery time.Duration
	// KeepUnfinished skips the sweep at start: another runner (the
	// configuration a reload replaces) is still at work on its jobs.
	KeepUnfinished bool
	// Lease is how long a job stays its runner's without a heartbeat; the
	// runner renews it every Lease/4 while it runs jobs, and fails the
	// jobs of other runners whose lease ran out, at start and every
	// Lease/4. Default 30s.
	Lease time.Duration
}

// Runner runs jobs, one goroutine each. Several runners (instances of
// the proxy) may share a store: each leases the jobs it runs.
type Runner struct {
	id     string // the runner's name in its jobs' leases
	store  Store
	log    *slog.Logger
	opts   Options
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup // the running jobs
	leases sync.WaitGroup // keepLeases

	mu      sync.Mutex
	running int
	owners  map[string]int // running jobs by owner
}

// New returns a runner keeping jobs in store. Jobs whose runner stopped
// renewing their lease (a process that crashed or was stopped) are marked
// failed: their work stopped with it. The jobs of runners still at work,
// in other processes, are left to them.
func New(ctx context.Context, store Store, log *slog.Logger, opts Options) (*Runner, error) {
	if opts.SaveItems <= 0 {
		opts.SaveItems = 100
	}
	if opts.SaveEvery <= 0 {
		opts.SaveEvery = 500 * time.Millisecond
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	r := &Runner{id: rand.Text(), store: store, log: log, opts: opts, owners: map[string]int{}}
	r.ctx, r.stop = context.WithCancel(context.Background())
	if !opts.KeepUnfinished {
		if err := r.sweep(ctx); err != nil {
			return nil, err
		}
	}
	// Not in r.wg, which counts the running jobs that Wait waits for.
	r.leases.Go(r.keepLeases)
	return r, nil
}

// DefaultLease is how long a job outlives its runner's last heartbeat
// when Options.Lease is not set.
const DefaultLease = 30 * time.Second

// keepLeases renews the lease of the runner's jobs while it runs any, and
// sweeps the jobs of runners gone, every Lease/4, until Close.
func (r *Runner) keepLeases() {
	tick := time.NewTicker(r.opts.Lease / 4)
	defer tick.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(r.ctx, r.opts.Lease/4)
		r.mu.Lock()
		running := r.running > 0
		r.mu.Unlock()
		if running {
			if err := r.store.Heartbeat(ctx, r.id); err != nil {
				r.log.Error("renewing the lease of batch jobs", "err", err)
			}
		}
		if err := r.sweep(ctx); err != nil && r.ctx.Err() == nil {
			r.log.Error("failing the batch jobs of a runner gone", "err", err)
		}
		cancel()
	}
}

// sweep marks failed the unfinished jobs whose lease ran out.
func (r *Runner) sweep(ctx context.Context) error {
	ids, err := r.store.StaleJobs(ctx, time.Now().Add(-r.opts.Lease))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := r.markFailed(ctx, id); err != nil {
			return err
		}
		r.log.Warn("batch job failed: its runner stopped", "job", id)
	}
	return nil
}

// markFailed saves job id as failed and ended. A document saved whole,
// as before outcomes were stored apart, has its outcomes moved to
// entries.
func (r *Runner) markFailed(ctx context.Context, id string) error {
	owner, doc, entries, err := r.store.LoadJob(ctx, id)
	if err != nil {
		return err
	}
	var j Job
	if err := json.Unmarshal(doc, &j); err != nil {
		return err
	}
	j.Status, j.Ended = "failed", true
	var moved [][]byte
	for item, res := range j.Results {
		moved = append(moved, encodeEntry(entry{Item: item, Result: res}))
	}
	for item, e := range j.Errors {
		moved = append(moved, encodeEntry(entry{Item: item, Error: &e}))
	}
	progress, err := json.Marshal(j.Progress)
	if err != nil {
		return err
	}
	return r.store.SaveJob(ctx, id, owner, r.id, true, progress, len(entries), moved)
}

// encodeEntry is the stored form of e; its parts are valid JSON already.
func encodeEntry(e entry) []byte {
	b, err := json.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(entry{Item: e.Item, Result: json.RawMessage("true")})
	}
	return b
}

// Get returns the document of job id with Apostrophe's percentage (0, or
// the share processed as a string with two decimals), for caller: a job
// with an owner is found by its owner only (ErrNotFound otherwise).
func (r *Runner) Get(ctx context.Context, id, caller string) ([]byte, error) {
	owner, doc, entries, err := r.store.LoadJob(ctx, id)
	if err != nil {
		return nil, err
	}
	if owner != "" && owner != caller {
		return nil, apos.ErrNotFound
	}
	var j Job
	if err := json.Unmarshal(doc, &j); err != nil {
		return nil, err
	}
	if j.Results == nil {
		j.Results = map[string]json.RawMessage{}
	}
	if j.Errors == nil {
		j.Errors = map[string]ItemError{}
	}
	for _, b := range entries {
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, err
		}
		if e.Error != nil {
			j.Errors[e.Item] = *e.Error
		} else {
			j.Results[e.Item] = e.Result
		}
	}
	if doc, err = json.Marshal(&j); err != nil {
		return nil, err
	}
	pct := []byte("0")
	if j.Total > 0 {
		pct = strconv.AppendQuote(nil, strconv.FormatFloat(float64(j.Processed)/float64(j.Total)*100, 'f', 2, 64))
	}
	doc = doc[:len(doc)-1]
	doc = append(doc, `,"percentage":`...)
	doc = append(doc, pct...)
	return append(doc, '}'), nil
}

// Close stops the running jobs after their current item, and waits for
// them to save their state.
func (r *Runner) Close() {
	r.stop()
	r.wg.Wait()
	r.leases.Wait()
}
