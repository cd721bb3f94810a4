package proxy

import (
	"log/slog"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// errorLines lets through the error lines of writeError in bursts of
// errorBurst, then errorRate a second, for the whole process: an outage
// fails every request, and one line per failure (40,000 in 8 s) drowns
// the log and the disk without saying more than the first few.
var errorLines = newLogThrottle(errorRate, errorBurst)

const (
	errorRate  = 10
	errorBurst = 100
)

// logThrottle rate-limits log lines and counts the ones it holds back.
type logThrottle struct {
	lim        *rate.Limiter
	suppressed atomic.Int64
}

func newLogThrottle(perSecond rate.Limit, burst int) *logThrottle {
	return &logThrottle{lim: rate.NewLimiter(perSecond, burst)}
}

// allow tells whether a line may be written now. The first line let
// through after a suppression is preceded by the count of the lines held
// back.
func (t *logThrottle) allow(log *slog.Logger) bool {
	if !t.lim.Allow() {
		t.suppressed.Add(1)
		return false
	}
	if n := t.suppressed.Swap(0); n > 0 {
		log.Warn("error lines suppressed (rate limited)", "count", n)
	}
	return true
}
