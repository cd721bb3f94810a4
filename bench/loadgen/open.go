package loadgen

import (
	"sync/atomic"
	"time"
)

// The open model sends requests on a fixed schedule, the i-th at
// start + i/rate, whatever the answers take: a slow server gets more
// requests in flight, not fewer requests, so its latency shows. Each
// request's latency runs from the time the schedule gave it, not from the
// time it was sent, so that a generator or a connection pool that falls
// behind cannot hide the server's stalls (coordinated omission).
//
// On Linux the open model is one event loop (epoll_linux.go): one
// goroutine, locked to its thread, owns the connections (non-blocking,
// kept alive, HTTP/1.1, one request in flight each) in an epoll set of
// its own. At each request's time it wakes on a timerfd, reads the
// answers that arrived meanwhile (the epoll set, polled), sends every
// request whose time has come on an idle connection (opening another when
// none is idle, up to -max-connections; a request that finds none waits, its
// latency still running from its time in the schedule), and sleeps
// again. It parses the answers itself (answer.go) and checks them as the
// other models do (result.judge). An answer's time is the kernel's
// receive timestamp of its last bytes (SO_TIMESTAMPNS), so the loop
// never wakes for an answer: one wake-up per request at most, and fewer
// when the requests come closer than a wake-up takes.
//
// Why: on a small VM a wake-up is what a request costs the generator (a
// context switch with its interrupts, tens of µs; waking the server is as
// dear, and any client pays it). The model this one replaces (a pacer
// goroutine handing each request to a worker goroutine with fasthttp's
// client, open_workers.go, still what runs outside Linux and over HTTPS)
// woke a goroutine, often a thread, per request and another per answer:
// 46 µs of CPU a request at 20,000/s and 80 µs at 5,000/s on this
// project's 2-core VM, against 34 and 46 µs here (bench/README.md).
//
// The generator checks itself: the lag of each request, from its time in
// the schedule to the moment the generator takes it up (sends it, or
// queues it for a connection), is counted apart, and a run whose lag's
// p99 exceeds maxScheduleLag (the generator's core was saturated, or
// taken by something else) is reported as not having kept its schedule:
// its latencies are the generator's, not the server's. A request that waits
// for a connection because all -max-connections are busy waits for the
// server; that is not the generator's lag, and the run is reported as
// saturated.

// maxScheduleLag is the p99 of the send lag above which a run did not
// keep its schedule.
const maxScheduleLag = time.Millisecond

// maxOpenConns is the default of -max-connections, which bounds the
// connections of the open model, each with one request in flight (no
// pipelining), so that a target that stops answering costs memory up to a
// point only; beyond it, requests wait for a connection. Latency runs set
// a far lower bound, as wrk2's fixed connections do: a server that stalls
// for a moment then meets a queue of requests, not a storm of new
// connections that it must accept before it can catch up.
const maxOpenConns = 10000

// Schedule is the open model's check of itself, as -json writes it.
type Schedule struct {
	// Scheduled counts the requests the schedule called for, Sent those
	// sent (fewer when the run was interrupted).
	Scheduled uint64 `json:"scheduled"`
	Sent      uint64 `json:"sent"`
	// Lag is how late the generator took requests up (sent them, or
	// queued them for a connection), against their time in the
	// schedule, in milliseconds.
	LagP50 float64 `json:"lag_p50_ms"`
	LagP99 float64 `json:"lag_p99_ms"`
	LagMax float64 `json:"lag_max_ms"`
	// Workers is the most connections open at once, each with at most
	// one request in flight; Saturated says they reached -max-connections,
	// and requests then waited for a connection: the server could not
	// sustain the rate.
	Workers   int  `json:"workers"`
	Saturated bool `json:"saturated"`
	// CPUMicros is the generator's own CPU time per request sent (the
	// whole process, user and system), in µs: one core sustains 10^6 /
	// CPUMicros requests a second, whatever else the machine does.
	CPUMicros float64 `json:"cpu_us_per_request"`
	// Kept is false when the p99 of the lag exceeded 1 ms (or the run
	// was cut short): the latencies of the run are then the generator's,
	// or the saturated server's queue, not the server's service time.
	Kept bool `json:"kept"`
}

// pacing gathers the open model's self-check over the rounds of a target.
type pacing struct {
	lag       histogram
	scheduled atomic.Uint64
	workers   int
	cpu       time.Duration // the process's CPU time during the runs
}

// schedule summarizes the self-check of runs that opened limit
// connections at most (-max-connections).
func (pc *pacing) schedule(limit int) *Schedule {
	l := &pc.lag
	s := &Schedule{Scheduled: pc.scheduled.Load(), Sent: l.count(), LagP50: ms(l.quantile(0.5)),
		LagP99: ms(l.quantile(0.99)), LagMax: ms(l.max()), Workers: pc.workers, Saturated: pc.workers >= limit}
	if s.Sent > 0 {
		s.CPUMicros = float64(pc.cpu.Microseconds()) / float64(s.Sent)
	}
	s.Kept = s.Sent == s.Scheduled && l.quantile(0.99) <= maxScheduleLag
	return s
}
