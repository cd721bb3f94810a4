//go:build !linux

package loadgen

import (
	"errors"
	"time"
)

// sleeper falls back to Go's timers outside Linux, which may be late by
// a millisecond: the schedule's self-check then says so.
type sleeper struct{}

func newSleeper() (*sleeper, error) { return nil, errors.New("no timerfd") }

func (*sleeper) sleep(d time.Duration) { time.Sleep(d) }

func (*sleeper) close() {}

// processCPU is not measured outside Linux.
func processCPU() time.Duration { return 0 }
