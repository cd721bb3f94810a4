package upstream

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// breaker is the client's circuit breaker: gobreaker's, with a lock-free
// path while it is closed. gobreaker takes a mutex twice per call; on the
// hot path a closed breaker needs only to know that it is closed and to
// count failures in a row, which two atomics do. gobreaker still owns the
// state: it trips when the counter reaches the threshold (its ReadyToTrip
// reads the counter), and an open or half-open breaker goes through it as
// before, so the cooldown and the one half-open probe are its own.
type breaker struct {
	cb *gobreaker.CircuitBreaker[struct{}]
	// state mirrors cb's: bit 0 is set while closed, the rest counts state
	// changes, so that a call can tell whether the state changed while it
	// ran and its result is stale (gobreaker's generation, for the fast
	// path).
	state atomic.Uint64
	// fails counts the failures in a row since the breaker last closed.
	fails    atomic.Int64
	failures int64
}

// errTrip is the failure that hands the breaker a trip decided by the
// fast path.
var errTrip = errors.New("the failure threshold is reached")

// newBreaker returns a circuit breaker that opens after failures failed
// calls in a row and lets one probe through after cooldown: a service that
// is down then costs one fast 503 per request, instead of a connection
// attempt or a timeout each.
func newBreaker(name string, failures int, cooldown time.Duration) *breaker {
	b := &breaker{failures: int64(failures)}
	b.state.Store(1)
	b.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        name,
		MaxRequests: 1,
		Timeout:     cooldown,
		ReadyToTrip: func(gobreaker.Counts) bool { return b.fails.Load() >= b.failures },
		// Called by gobreaker under its lock, so that the mirror changes
		// in the same order as the state.
		OnStateChange: func(name string, from, to gobreaker.State) {
			closed := uint64(0)
			if to == gobreaker.StateClosed {
				b.fails.Store(0)
				closed = 1
			}
			b.state.Store((b.state.Load()+2)&^1 | closed)
			slog.Warn("upstream circuit breaker", "upstream", name, "from", from.String(), "to", to.String())
		},
	})
	return b
}

// State is gobreaker's state of the breaker.
func (b *breaker) State() gobreaker.State { return b.cb.State() }

// execute runs req unless the breaker is open, and counts its error as a
// failure of the service when it is not nil. It returns
// gobreaker.ErrOpenState or gobreaker.ErrTooManyRequests when req did not
// run.
func (b *breaker) execute(req func() error) error {
	s := b.state.Load()
	if s&1 == 0 {
		_, err := b.cb.Execute(func() (struct{}, error) { return struct{}{}, req() })
		return err
	}
	err := req()
	if b.state.Load() != s {
		// The breaker opened (and maybe closed again) meanwhile: like
		// gobreaker, count nothing from an earlier generation.
		return err
	}
	switch {
	case err == nil:
		if b.fails.Load() != 0 {
			b.fails.Store(0)
		}
	case b.fails.Add(1) >= b.failures:
		// gobreaker sees one failure while closed and asks ReadyToTrip,
		// which reads fails. Calls that reach the threshold together
		// each try; the first opens it, the others find it open.
		_, _ = b.cb.Execute(func() (struct{}, error) { return struct{}{}, errTrip })
	}
	return err
}
