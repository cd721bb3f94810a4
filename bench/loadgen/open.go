package loadgen

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// The open model sends requests on a fixed schedule, the i-th at
// start + i/rate, whatever the answers take: a slow server gets more
// requests in flight, not fewer requests, so its latency shows. Each
// request's latency runs from the time the schedule gave it, not from the
// time it was sent, so that a generator or a connection pool that falls
// behind cannot hide the server's stalls (coordinated omission).
//
// The pacer wakes on a periodic timerfd(2), one tick per request
// (os_linux.go): Go's timers sleep in whole milliseconds when the process
// is idle (the runtime's epoll wait), which at a few thousand requests a
// second would send them in bursts a millisecond late and count that
// millisecond as the server's. The
// workers that send are started as the schedule needs them,
// so that a request never waits for a free connection (up to
// maxOpenWorkers in flight).
//
// The generator checks itself: the lag of each request, from its time in
// the schedule to the moment the pacer hands it to a worker, is counted
// apart, and a run whose lag's p99 exceeds maxScheduleLag (the
// generator's core was saturated, or taken by something else) is
// reported as not having kept its schedule: its latencies are the
// generator's, not the server's. A request that waits for a worker
// because all maxOpenWorkers are busy waits for the server; that is not
// the pacer's lag, and the run is reported as saturated.

// maxScheduleLag is the p99 of the send lag above which a run did not
// keep its schedule.
const maxScheduleLag = time.Millisecond

// maxOpenWorkers bounds the requests in flight of the open model, so that
// a target that stops answering costs memory up to a point only; beyond
// it, requests wait for a worker and their lag shows it.
const maxOpenWorkers = 10000

// Schedule is the open model's check of itself, as -json writes it.
type Schedule struct {
	// Scheduled counts the requests the schedule called for, Sent those
	// sent (fewer when the run was interrupted).
	Scheduled uint64 `json:"scheduled"`
	Sent      uint64 `json:"sent"`
	// Lag is how late the pacer handed requests to the workers, against
	// their time in the schedule, in milliseconds.
	LagP50 float64 `json:"lag_p50_ms"`
	LagP99 float64 `json:"lag_p99_ms"`
	LagMax float64 `json:"lag_max_ms"`
	// Workers is the most requests that were in flight at once;
	// Saturated says they reached maxOpenWorkers, and requests then
	// waited for a worker: the server could not sustain the rate.
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

// schedule summarizes the self-check.
func (pc *pacing) schedule() *Schedule {
	l := &pc.lag
	s := &Schedule{Scheduled: pc.scheduled.Load(), Sent: l.count(), LagP50: ms(l.quantile(0.5)),
		LagP99: ms(l.quantile(0.99)), LagMax: ms(l.max()), Workers: pc.workers, Saturated: pc.workers >= maxOpenWorkers}
	if s.Sent > 0 {
		s.CPUMicros = float64(pc.cpu.Microseconds()) / float64(s.Sent)
	}
	s.Kept = s.Sent == s.Scheduled && l.quantile(0.99) <= maxScheduleLag
	return s
}

// runOpen sends o.rate requests per second for d, or until ctx ends, and
// sends their results to out.
func runOpen(ctx context.Context, c *fasthttp.Client, p *plan, o *options, d time.Duration, pc *pacing, out chan<- result) {
	cpu0 := processCPU()
	jobs := make(chan time.Time, maxOpenWorkers)
	var idle atomic.Int64
	var wg sync.WaitGroup
	workers := 0
	spawn := func() {
		workers++
		idle.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for at := range jobs {
				idle.Add(-1)
				r, _ := p.pick()
				out <- hit(c, p, &r, req, resp, o.timeout, at)
				idle.Add(1)
			}
		}()
	}
	for range min(o.conns, maxOpenWorkers) {
		spawn()
	}
	paced := make(chan struct{})
	go func() {
		defer close(paced)
		interval := float64(time.Second) / float64(o.rate)
		total := int(d.Seconds() * float64(o.rate))
		pc.scheduled.Add(uint64(total))
		start := time.Now()
		tk := newTicker(time.Duration(interval))
		defer tk.stop()
		for sent := 0; sent < total && ctx.Err() == nil; {
			// Every request whose time has come goes now: one wake-up
			// sends several when the pacer was late.
			due := min(int(float64(time.Since(start))/interval)+1, total)
			for ; sent < due; sent++ {
				at := start.Add(time.Duration(float64(sent) * interval))
				pc.lag.record(time.Since(at))
				if idle.Load() <= int64(len(jobs)) && workers < maxOpenWorkers {
					spawn()
				}
				jobs <- at
			}
			if sent < total {
				tk.wait()
			}
		}
	}()
	<-paced
	close(jobs)
	wg.Wait()
	pc.workers = max(pc.workers, workers)
	pc.cpu += processCPU() - cpu0
}
