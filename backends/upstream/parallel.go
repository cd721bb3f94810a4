package upstream

import (
	"sync"
	"sync/atomic"
)

// parallel runs job(0) to job(n-1), at most limit at once, and returns the
// first error. Once a job has failed, jobs not started yet are skipped. It
// returns only when every started job has returned, so no goroutine
// outlives the request.
func parallel(n, limit int, job func(i int) error) error {
	if n == 1 {
		return job(0)
	}
	var (
		wg     sync.WaitGroup
		once   sync.Once
		first  error
		failed atomic.Bool
		sem    = make(chan struct{}, limit)
	)
	for i := range n {
		sem <- struct{}{}
		if failed.Load() {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := job(i); err != nil {
				once.Do(func() { first = err })
				failed.Store(true)
			}
		})
	}
	wg.Wait()
	return first
}
