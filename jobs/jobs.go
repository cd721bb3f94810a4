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
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// Store keeps job documents; sqlbackend.JobStore is one.
type Store interface {
	// SaveJob stores the document of job id, replacing any earlier one.
	SaveJob(ctx context.Context, id, owner string, ended bool, doc []byte) error
	// LoadJob returns a job's owner and document, or apos.ErrNotFound.
	LoadJob(ctx context.Context, id string) (owner string, doc []byte, err error)
	// UnfinishedJobs lists the jobs not over yet.
	UnfinishedJobs(ctx context.Context) ([]string, error)
}

// Job is Apostrophe's job document, plus why each failed item failed.
type Job struct {
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

// Work does the operation of a job on one item and returns the item's
// JSON result (nil: true).
type Work func(ctx context.Context, item string) (json.RawMessage, error)

// Runner runs jobs, one goroutine each.
type Runner struct {
	store   Store
	log     *slog.Logger
	timeout time.Duration // per item, and per save
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

// errInterrupted is the error of the items a stop left undone.
var errInterrupted = ItemError{Name: "error", Message: "The job was interrupted by a restart of the proxy."}

// New returns a runner keeping jobs in store. Each item, and each save,
// gets timeout. Jobs that a previous process left running are marked
// failed: their work stopped with it.
func New(ctx context.Context, store Store, log *slog.Logger, timeout time.Duration) (*Runner, error) {
	r := &Runner{store: store, log: log, timeout: timeout}
	r.ctx, r.stop = context.WithCancel(context.Background())
	ids, err := store.UnfinishedJobs(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		owner, doc, err := store.LoadJob(ctx, id)
		if err != nil {
			return nil, err
		}
		var j Job
		if err := json.Unmarshal(doc, &j); err != nil {
			return nil, err
		}
		j.Status, j.Ended = "failed", true
		if err := r.save(ctx, &j, owner); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Start saves a new job over items for owner and works on them in the
// background, in order; it returns the job's id at once.
func (r *Runner) Start(ctx context.Context, owner string, items []string, work Work) (string, error) {
	j := &Job{
		ID:      strings.ToLower(rand.Text()),
		Total:   len(items),
		Status:  "running",
		When:    time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		Results: map[string]json.RawMessage{},
		Errors:  map[string]ItemError{},
	}
	if err := r.save(ctx, j, owner); err != nil {
		return "", err
	}
	r.wg.Go(func() { r.run(j, owner, items, work) })
	return j.ID, nil
}

// run works on the items, saving the job after each.
func (r *Runner) run(j *Job, owner string, items []string, work Work) {
	for _, item := range items {
		if r.ctx.Err() != nil {
			j.Status = "failed"
			j.Errors[item] = errInterrupted
			break
		}
		ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
		res, err := work(ctx, item)
		cancel()
		j.Processed++
		switch {
		case err != nil && r.ctx.Err() != nil:
			j.Bad++
			j.Status = "failed"
			j.Errors[item] = errInterrupted
		case err != nil:
			j.Bad++
			j.Errors[item] = r.itemError(j.ID, item, err)
		default:
			j.Good++
			if res == nil {
				res = json.RawMessage("true")
			}
			j.Results[item] = res
		}
		if j.Status != "running" {
			break
		}
		if j.Processed < j.Total {
			r.saveLogged(j, owner)
		}
	}
	if j.Status == "running" {
		j.Status = "completed"
	}
	j.Ended = true
	r.saveLogged(j, owner)
}

// itemError is the client-safe error of an item; anything but one of the
// apos package's errors is logged and masked.
func (r *Runner) itemError(job, item string, err error) ItemError {
	var ve *apos.ValidationError
	if errors.As(err, &ve) {
		return ItemError{Name: "invalid", Message: ve.Error()}
	}
	if e, ok := apos.AsError(err); ok {
		msg := e.Message
		if msg == "" {
			msg = e.Name
		}
		return ItemError{Name: e.Name, Message: msg}
	}
	r.log.Error("batch job item failed", "job", job, "item", item, "err", err)
	return ItemError{Name: "error", Message: "An error occurred."}
}

// save stores j.
func (r *Runner) save(ctx context.Context, j *Job, owner string) error {
	doc, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return r.store.SaveJob(ctx, j.ID, owner, j.Ended, doc)
}

// saveLogged stores j from the job's goroutine; a failure is logged, and
// the next save (or a restart) puts the document right.
func (r *Runner) saveLogged(j *Job, owner string) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	if err := r.save(ctx, j, owner); err != nil {
		r.log.Error("saving a batch job", "job", j.ID, "err", err)
	}
}

// Get returns the document of job id with Apostrophe's percentage (0, or
// the share processed as a string with two decimals), for caller: a job
// with an owner is found by its owner only (ErrNotFound otherwise).
func (r *Runner) Get(ctx context.Context, id, caller string) ([]byte, error) {
	owner, doc, err := r.store.LoadJob(ctx, id)
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
}
