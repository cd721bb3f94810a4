package sqlbackend

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// countCache keeps the total counts of a type's lists for a short time
// (types.<name>.count_cache, docs/config.md#lists-and-permissions): on a
// large table without an index that serves the filter, a list's
// COUNT(*) reads every matching row while its page reads a few, and the
// count is asked again on every page. A total is kept per statement and
// arguments (so per locale, mode and filter), and is at most ttl old:
// the writes of the proxy and of the legacy application alike show in
// totals once it has passed. Pages themselves are always read afresh.
type countCache struct {
	ttl time.Duration
	now func() time.Time // time.Now; tests move it

	mu sync.Mutex
	m  map[string]countEntry
}

type countEntry struct {
	n  int
	at time.Time
}

// maxCounts bounds the totals kept: past it, the cache starts afresh
// rather than grow with every filter clients try.
const maxCounts = 4096

func newCountCache(ttl time.Duration) *countCache {
	return &countCache{ttl: ttl, now: time.Now, m: map[string]countEntry{}}
}

// countKey is the cache's key of a count statement and its arguments.
func countKey(text []byte, args []any) string {
	var b strings.Builder
	b.Write(text)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%T:%v", a, a)
	}
	return b.String()
}

// get returns the total kept for key, if it is fresh.
func (c *countCache) get(key string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || c.now().Sub(e.at) >= c.ttl {
		return 0, false
	}
	return e.n, true
}

// put keeps n as the total of key from now on.
func (c *countCache) put(key string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCounts {
		clear(c.m)
	}
	c.m[key] = countEntry{n: n, at: c.now()}
}
