//go:build !linux

package loadgen

import (
	"context"
	"time"

	"github.com/valyala/fasthttp"
)

// ticker falls back to Go's timers outside Linux, which may wake a
// millisecond late: the schedule's self-check then says so.
type ticker struct{ interval time.Duration }

func newTicker(interval time.Duration) *ticker { return &ticker{interval: interval} }

func (t *ticker) wait() { time.Sleep(t.interval) }

func (*ticker) stop() {}

// processCPU is not measured outside Linux.
func processCPU() time.Duration { return 0 }

// runOpen is the open model; outside Linux, the worker model (open.go).
func runOpen(ctx context.Context, c *fasthttp.Client, p *plan, o *options, d time.Duration, pc *pacing, record func(*result)) {
	runWorkers(ctx, c, p, o, d, pc, record)
}
