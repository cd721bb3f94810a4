package app

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// generation is one built Program as it serves: the requests it has in
// flight, and whether a newer one replaced it. A retired generation
// closes its backends once its last request is answered.
type generation struct {
	prog     *Program
	handler  fasthttp.RequestHandler
	inflight atomic.Int64
	retired  atomic.Bool
	once     sync.Once
	drained  chan struct{} // closed when retired with nothing in flight
	closing  sync.Once     // close runs once: at a reload, or at shutdown
}

func newGeneration(p *Program) *generation {
	return &generation{prog: p, handler: p.API.Handler(), drained: make(chan struct{})}
}

func (g *generation) enter() { g.inflight.Add(1) }

func (g *generation) leave() {
	if g.inflight.Add(-1) == 0 && g.retired.Load() {
		g.once.Do(func() { close(g.drained) })
	}
}

// retire marks g replaced; drained closes once nothing is in flight.
func (g *generation) retire() {
	g.retired.Store(true)
	if g.inflight.Load() == 0 {
		g.once.Do(func() { close(g.drained) })
	}
}

// live is the generation that serves now, swapped atomically by a
// reload: a request runs entirely on the generation it entered.
type live struct {
	cur atomic.Pointer[generation]
}

// serve answers ctx with the current generation. A request that entered
// a generation just replaced tries again on the new one, so that a
// retired generation never starts a request after it drained.
func (l *live) serve(ctx *fasthttp.RequestCtx) {
	for {
		g := l.cur.Load()
		g.enter()
		if l.cur.Load() == g {
			defer g.leave()
			g.handler(ctx)
			return
		}
		g.leave()
	}
}

// errorHandler answers fasthttp's own errors with the current generation.
func (l *live) errorHandler(ctx *fasthttp.RequestCtx, err error) {
	l.cur.Load().prog.API.ErrorHandler(ctx, err)
}

// swap makes g the current generation, and closes the one it replaces
// once its requests are answered, or after wait at most.
func (l *live) swap(g *generation, wait time.Duration) {
	old := l.cur.Swap(g)
	if old == nil {
		return
	}
	go old.close(wait)
}

// close retires g, waits up to wait for its requests and jobs, then
// closes its backends; later calls do nothing (Serve's deferred close
// after a shutdown that closed it already).
func (g *generation) close(wait time.Duration) {
	g.closing.Do(func() {
		g.retire()
		deadline := time.Now().Add(wait)
		if !g.waitDrained(wait) {
			g.prog.log.Warn("closing a replaced configuration with requests still in flight", "requests", g.inflight.Load())
		}
		if g.prog.runner != nil {
			g.prog.runner.Wait(time.Until(deadline))
		}
		g.prog.Close()
	})
}

// waitDrained waits up to wait for the last request of the retired g, and
// reports whether it was answered. A drained g is never reported late,
// even with no time to wait.
func (g *generation) waitDrained(wait time.Duration) bool {
	select {
	case <-g.drained:
		return true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-g.drained:
		return true
	case <-t.C:
		return false
	}
}
