//go:build !linux

package sqldb

import (
	"syscall"
	"time"
)

// setUserTimeout does nothing where TCP_USER_TIMEOUT is not available:
// keepalive alone notices a dead peer there.
func setUserTimeout(syscall.RawConn, time.Duration) error { return nil }
