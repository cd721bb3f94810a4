package jobs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// errInterrupted is the error of the items a stop left undone.
var errInterrupted = ItemError{Name: "error", Message: "The job was interrupted by a restart of the proxy."}

// Start saves a new job over items for owner and works on them in the
// background, in order; it returns the job's id at once. A job over one
// of the runner's caps is refused with apos.ErrTooMany.
func (r *Runner) Start(ctx context.Context, owner string, items []string, work Work) (string, error) {
	if err := r.admit(owner); err != nil {
		return "", err
	}
	j := &run{r: r, owner: owner, p: Progress{
		ID:     strings.ToLower(rand.Text()),
		Total:  len(items),
		Status: "running",
		When:   time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
	}}
	if err := j.save(ctx); err != nil {
		r.release(owner)
		return "", err
	}
	jobsStarted.Add(1)
	r.wg.Go(func() {
		defer r.release(owner)
		j.work(items, work)
	})
	return j.p.ID, nil
}

// run is one job at work: its progress and the outcomes not saved yet.
// The job's goroutine records outcomes; a timer saves them when they wait
// too long.
type run struct {
	r     *Runner
	owner string

	mu      sync.Mutex
	p       Progress
	saved   int         // entries stored
	unsaved [][]byte    // entries not stored yet
	timer   *time.Timer // the pending timed save, if any
}

// work works on the items, recording each outcome, and saves the job's
// end.
func (j *run) work(items []string, work Work) {
	r := j.r
	for _, item := range items {
		if r.ctx.Err() != nil {
			j.record(item, nil, errInterrupted, false)
			break
		}
		ctx, cancel := context.WithTimeout(r.ctx, r.opts.Timeout)
		res, err := work(ctx, item)
		cancel()
		var failure ItemError
		switch {
		case err != nil && r.ctx.Err() != nil:
			failure = errInterrupted
		case err != nil:
			failure = r.itemError(j.p.ID, item, err)
		case res == nil:
			res = json.RawMessage("true")
		}
		if !j.record(item, res, failure, true) {
			break
		}
	}
	j.finish()
}

// record adds an item's outcome: its result, or failure when its Name is
// set; processed says whether the item was worked on. The progress is
// saved when enough outcomes wait, or soon. It reports whether the job
// goes on: an interruption fails it.
func (j *run) record(item string, res json.RawMessage, failure ItemError, processed bool) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	e := entry{Item: item, Result: res}
	switch {
	case failure == errInterrupted:
		j.p.Status = "failed"
		e.Error = &failure
	case failure.Name != "":
		e.Error = &failure
	}
	if processed {
		j.p.Processed++
		if e.Error != nil {
			j.p.Bad++
		} else {
			j.p.Good++
		}
	}
	j.unsaved = append(j.unsaved, encodeEntry(e))
	switch {
	case len(j.unsaved) >= j.r.opts.SaveItems:
		j.saveLogged()
	case j.timer == nil:
		j.timer = time.AfterFunc(j.r.opts.SaveEvery, j.timed)
	}
	return j.p.Status == "running"
}

// timed saves the outcomes that waited SaveEvery, unless the job has
// ended or they are saved already.
func (j *run) timed() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.p.Ended && len(j.unsaved) > 0 {
		j.saveLogged()
	}
}

// finish saves the job's end.
func (j *run) finish() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.p.Status == "running" {
		j.p.Status = "completed"
	}
	j.p.Ended = true
	countEnded(j.p.Status)
	j.saveLogged()
}

// saveLogged saves the job from its goroutine or its timer, with j.mu
// held; a failure is logged, and the outcomes stay unsaved for the next
// save (or a restart) to put the job right.
func (j *run) saveLogged() {
	if j.timer != nil {
		j.timer.Stop()
		j.timer = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), j.r.opts.Timeout)
	defer cancel()
	if err := j.save(ctx); err != nil {
		j.r.log.Error("saving a batch job", "job", j.p.ID, "err", err)
	}
}

// save stores the progress and the unsaved outcomes.
func (j *run) save(ctx context.Context) error {
	progress, err := json.Marshal(&j.p)
	if err != nil {
		return err
	}
	if err := j.r.store.SaveJob(ctx, j.p.ID, j.owner, j.r.id, j.p.Ended, progress, j.saved, j.unsaved); err != nil {
		return err
	}
	j.saved += len(j.unsaved)
	j.unsaved = j.unsaved[:0]
	return nil
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
