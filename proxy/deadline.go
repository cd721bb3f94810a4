package proxy

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/aposproxy/aposproxy/config"
)

// deadlines hands out the backend contexts of requests: contexts that end
// request_timeout after the request began, give or take deadlineGrain.
// Requests that begin within the same grain share one context, so that
// a request costs no context, timer or cancel function of its own (four
// allocations, and a timer in the runtime's heap, on every request that
// reaches a backend). A shared context is never cancelled early: it ends
// at its deadline, when its timer fires, whether its requests are done or
// not, which is what a timeout is for.
type deadlines struct {
	timeout time.Duration
	cur     atomic.Pointer[sharedDeadline]
}

// sharedDeadline is one grain's context.
type sharedDeadline struct {
	ctx   context.Context
	until time.Time // when requests stop taking this context
	// cancel is kept for the vet check's sake and for nothing else: the
	// context ends by its deadline.
	cancel context.CancelFunc
}

// deadlineGrain is how much later than request_timeout a request's
// context may end: requests within one grain share a context.
const deadlineGrain = config.DeadlineGrain

// context returns a context that ends between timeout and timeout +
// deadlineGrain from now.
func (d *deadlines) context() context.Context {
	now := time.Now()
	if cur := d.cur.Load(); cur != nil && now.Before(cur.until) {
		return cur.ctx
	}
	ctx, cancel := context.WithDeadline(context.Background(), now.Add(d.timeout+deadlineGrain))
	next := &sharedDeadline{ctx: ctx, until: now.Add(deadlineGrain), cancel: cancel}
	d.cur.Store(next)
	return ctx
}
