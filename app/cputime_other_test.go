//go:build !linux

package app

import "time"

var started = time.Now()

// threadCPU is, outside Linux, the time since the tests started.
func threadCPU() time.Duration { return time.Since(started) }
