//go:build !linux

package loadgen

import "time"

// ticker falls back to Go's timers outside Linux, which may wake a
// millisecond late: the schedule's self-check then says so.
type ticker struct{ interval time.Duration }

func newTicker(interval time.Duration) *ticker { return &ticker{interval: interval} }

func (t *ticker) wait() { time.Sleep(t.interval) }

func (*ticker) stop() {}

// processCPU is not measured outside Linux.
func processCPU() time.Duration { return 0 }
