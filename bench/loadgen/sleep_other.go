//go:build !linux

package loadgen

import "time"

// preciseSleeps does nothing outside Linux.
func preciseSleeps() {}

// sleepThread sleeps d with Go's timers, which outside Linux may be late
// by a millisecond: the schedule's self-check then says so.
func sleepThread(d time.Duration) { time.Sleep(d) }
