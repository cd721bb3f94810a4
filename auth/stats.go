package auth

import "sync/atomic"

// Counters of the process's logins, for the metrics (every Auth of the
// process adds to them, across reloads).
var loginFailures, loginLocked atomic.Uint64

// LoginStats reports how many logins failed on bad credentials and how
// many were refused by the throttle, since the process started.
func LoginStats() (failures, throttled uint64) {
	return loginFailures.Load(), loginLocked.Load()
}
