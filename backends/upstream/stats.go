package upstream

import "sync/atomic"

// callStats counts a client's calls, for the metrics.
type callStats struct {
	calls, failures atomic.Uint64
}

// count counts one call, failed when err is not nil.
func (s *callStats) count(err error) {
	s.calls.Add(1)
	if err != nil {
		s.failures.Add(1)
	}
}

// Stats is what a client has done so far, and its state now.
type Stats struct {
	Name string
	// Calls counts the calls made (a retried call once), Failures those
	// that got no usable answer (unreachable, timeout, breaker open, ...).
	Calls, Failures uint64
	// Conns is the open connections.
	Conns int
	// Breaker is the circuit breaker's state: 0 closed, 1 half-open, 2
	// open.
	Breaker int
}

// Stats reports the client's counters and state.
func (c *Client) Stats() Stats {
	return Stats{
		Name:     c.name,
		Calls:    c.stats.calls.Load(),
		Failures: c.stats.failures.Load(),
		Conns:    c.hc.ConnsCount(),
		Breaker:  int(c.breaker.State()),
	}
}

// Upstream is the name of the [upstreams.<name>] entry the type is on.
func (a *Adapter) Upstream() string { return a.c.name }
