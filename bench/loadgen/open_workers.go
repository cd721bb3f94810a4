package loadgen

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// runWorkers is the open model with goroutines: a pacer on a ticker hands
// each request's time in the schedule to a worker, which sends it with
// fasthttp's client. It is what the open model runs where the epoll
// engine does not (outside Linux, and over HTTPS): it costs a goroutine
// and often a thread wake-up per request, 50 to 130 µs of CPU each on a
// small VM, and keeps schedules of a few thousand requests a second only.
// Each result goes to record, one at a time.
func runWorkers(ctx context.Context, c *fasthttp.Client, p *plan, o *options, d time.Duration, pc *pacing, record func(*result)) {
	cpu0 := processCPU()
	jobs := make(chan time.Time, maxOpenConns)
	var idle atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
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
				res := hit(c, p, &r, req, resp, o.timeout, at)
				mu.Lock()
				record(&res)
				mu.Unlock()
				idle.Add(1)
			}
		}()
	}
	for range min(o.conns, o.maxConns) {
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
				if idle.Load() <= int64(len(jobs)) && workers < o.maxConns {
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
