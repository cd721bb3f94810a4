package loadgen

import (
	"syscall"
	"time"
)

// preciseSleeps sets the timer slack of the calling thread to 1 ns: the
// default 50 µs would be added to each of the pacer's sleeps.
func preciseSleeps() {
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_TIMERSLACK, 1, 0)
}

// sleepThread sleeps d in nanosleep(2), holding the calling thread, to
// the microsecond (see open.go).
func sleepThread(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil)
}
