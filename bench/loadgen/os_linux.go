package loadgen

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ticker wakes the pacer every interval, to the microsecond: a periodic
// timerfd(2) read through Go's netpoller. The goroutine parks as it would
// on a socket, and the epoll wait that the runtime makes anyway wakes as
// soon as the timer fires, where Go's own timers would wake in whole
// milliseconds when the process is idle (see open.go). It needs no thread
// of its own, so the pacer and the workers share one P without handoffs,
// and one read a wake-up is its whole cost. Without a timerfd it falls
// back to time.Sleep.
type ticker struct {
	f        *os.File
	interval time.Duration
}

// newTicker starts a ticker of interval.
func newTicker(interval time.Duration) *ticker {
	t := &ticker{interval: max(interval, time.Microsecond)}
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return t
	}
	every := unix.NsecToTimespec(int64(t.interval))
	if unix.TimerfdSettime(fd, 0, &unix.ItimerSpec{Interval: every, Value: every}, nil) != nil {
		unix.Close(fd)
		return t
	}
	// Non-blocking, so os.NewFile registers it with the netpoller.
	t.f = os.NewFile(uintptr(fd), "timerfd")
	return t
}

// wait returns at the next tick, at once if one passed unread.
func (t *ticker) wait() {
	if t.f == nil {
		time.Sleep(t.interval)
		return
	}
	var expirations [8]byte
	if _, err := t.f.Read(expirations[:]); err != nil {
		time.Sleep(t.interval)
	}
}

// stop releases the timer.
func (t *ticker) stop() {
	if t.f != nil {
		t.f.Close()
	}
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
