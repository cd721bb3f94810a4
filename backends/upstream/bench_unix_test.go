//go:build unix

package upstream

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// BenchmarkGetParallel gets published items from 16 goroutines at once,
// as the load generator of `go run ./bench -only upstream` does, and
// reports the process's CPU time per get (cpu-ns/op, the service's
// included): on a shared machine it moves less than the time per get.
func BenchmarkGetParallel(b *testing.B) {
	a, _ := inventory(b)
	ctx := context.Background()
	b.SetParallelism(8) // 16 goroutines on 2 cores
	b.ReportAllocs()
	start := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := a.Get(ctx, enLive, "INV-0001"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

// processCPU is the CPU time the process used so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
