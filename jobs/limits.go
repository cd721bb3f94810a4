package jobs

import "github.com/aposproxy/aposproxy/apos"

// admit counts a new job of owner among the running ones, or refuses it
// with apos.ErrTooMany when it would pass a cap: the owner's first, so
// that a caller over its own cap learns so even when the proxy is busy.
func (r *Runner) admit(owner string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := r.opts.MaxPerOwner; n > 0 && r.owners[owner] >= n {
		return apos.Errorf(apos.ErrTooMany, "You are running the most batch jobs allowed at once (%d); try again when one has ended.", n)
	}
	if n := r.opts.MaxRunning; n > 0 && r.running >= n {
		return apos.Errorf(apos.ErrTooMany, "The proxy is running the most batch jobs allowed at once (%d); try again when one has ended.", n)
	}
	r.running++
	r.owners[owner]++
	return nil
}

// release uncounts a job of owner that has ended, or that never started.
func (r *Runner) release(owner string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running--
	if r.owners[owner]--; r.owners[owner] <= 0 {
		delete(r.owners, owner)
	}
}
