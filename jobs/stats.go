package jobs

import (
	"sync/atomic"
	"time"
)

// Counters of the process's jobs, for the metrics (every Runner of the
// process adds to them, across reloads).
var jobsStarted, jobsCompleted, jobsFailed atomic.Uint64

// countEnded counts a job that ended with status.
func countEnded(status string) {
	if status == "completed" {
		jobsCompleted.Add(1)
	} else {
		jobsFailed.Add(1)
	}
}

// Stats reports how many jobs this process started, and how many of them
// completed and failed; the others are running.
func Stats() (started, completed, failed uint64) {
	return jobsStarted.Load(), jobsCompleted.Load(), jobsFailed.Load()
}

// Wait waits up to d for the running jobs to end (a reload lets the jobs
// of the configuration it replaces finish before closing it); it reports
// whether they did.
func (r *Runner) Wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(max(d, 0)):
		return false
	}
}
