package loadgen

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histogram counts durations in log-linear buckets, in the manner of an
// HDR histogram: 64 buckets per power of two, so that a quantile is read
// within 1.6% of the true value, from a nanosecond up to about 18 minutes,
// in a fixed 18 KiB. Recording is one atomic increment, so the open
// model's workers record into one histogram without a lock and without
// allocating; quantiles are read once the run is over.
type histogram struct {
	counts   [histBuckets]atomic.Uint64
	n, sumNs atomic.Uint64
	maxNs    atomic.Int64
}

const (
	// histSubBits sets the precision: 2^(histSubBits-1) buckets for each
	// power of two.
	histSubBits = 7
	// histMaxBits bounds the durations counted: 2^40 ns, about 18 minutes.
	histMaxBits = 40
	histBuckets = (histMaxBits-histSubBits+1)<<(histSubBits-1) + 1<<(histSubBits-1)
)

// bucket is the index of the bucket that counts v nanoseconds.
func bucket(v uint64) int {
	if v>>histMaxBits != 0 {
		v = 1<<histMaxBits - 1
	}
	shift := max(bits.Len64(v)-histSubBits, 0)
	return shift<<(histSubBits-1) + int(v>>shift)
}

// bucketTop is the largest value bucket i counts: a quantile is reported
// as that value, never below the true one.
func bucketTop(i int) uint64 {
	half := 1 << (histSubBits - 1)
	if i < 2*half {
		return uint64(i)
	}
	shift := i/half - 1
	return uint64(i-shift*half+1)<<shift - 1
}

// record counts one duration.
func (h *histogram) record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucket(v)].Add(1)
	h.n.Add(1)
	h.sumNs.Add(v)
	for {
		m := h.maxNs.Load()
		if int64(v) <= m || h.maxNs.CompareAndSwap(m, int64(v)) {
			return
		}
	}
}

// count is the number of durations recorded.
func (h *histogram) count() uint64 { return h.n.Load() }

// quantile is the q-quantile (0 < q ≤ 1) of the durations recorded, 0 for
// none; the largest quantile is the exact maximum.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = min(max(rank, 1), n)
	seen := uint64(0)
	for i := range h.counts {
		if seen += h.counts[i].Load(); seen >= rank {
			return min(time.Duration(bucketTop(i)), h.max())
		}
	}
	return h.max()
}

// mean is the mean of the durations recorded, 0 for none.
func (h *histogram) mean() time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(h.sumNs.Load() / n)
}

// max is the longest duration recorded.
func (h *histogram) max() time.Duration { return time.Duration(h.maxNs.Load()) }
