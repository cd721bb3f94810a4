package loadgen

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// sleeper waits to the microsecond on a timerfd(2) read through Go's
// netpoller: the goroutine parks as it would on a socket, and the epoll
// wait that the runtime makes anyway wakes as soon as the timer fires,
// where Go's own timers would wake in whole milliseconds when the process
// is idle (see open.go). No thread of its own, and so no handoffs: the
// pacer and the workers share one P.
type sleeper struct{ f *os.File }

// newSleeper makes a sleeper; with an error, the caller falls back to
// time.Sleep.
func newSleeper() (*sleeper, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	// Non-blocking, so os.NewFile registers it with the netpoller.
	return &sleeper{f: os.NewFile(uintptr(fd), "timerfd")}, nil
}

// sleep waits d.
func (s *sleeper) sleep(d time.Duration) {
	if s == nil {
		time.Sleep(d)
		return
	}
	its := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if unix.TimerfdSettime(int(s.f.Fd()), 0, &its, nil) != nil {
		time.Sleep(d)
		return
	}
	var expirations [8]byte
	_, _ = s.f.Read(expirations[:])
}

// close releases the timer.
func (s *sleeper) close() {
	if s != nil {
		s.f.Close()
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
