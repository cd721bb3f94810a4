package backends

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aposproxy/aposproxy/backends/upstream"
)

// Readiness is the outcome of checking one backend for readiness.
type Readiness struct {
	// Backend is the backend's config key: databases.<name> or
	// upstreams.<name>.
	Backend string
	// Err is nil when the backend answered.
	Err error
}

// Ready pings every open database and checks every open upstream (one
// small list call of the first type on it), at once, within ctx, and
// returns the outcomes sorted by backend.
func (s *Set) Ready(ctx context.Context) []Readiness {
	var probes []func() Readiness
	for _, name := range slices.Sorted(maps.Keys(s.databases)) {
		db := s.databases[name]
		probes = append(probes, func() Readiness {
			return Readiness{Backend: "databases." + name, Err: db.PingContext(ctx)}
		})
	}
	seen := map[string]bool{}
	for _, a := range s.upstream {
		name := a.Upstream()
		if seen[name] {
			continue
		}
		seen[name] = true
		probes = append(probes, func() Readiness {
			return Readiness{Backend: "upstreams." + name, Err: a.Ping(ctx)}
		})
	}
	out := make([]Readiness, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = p() }()
	}
	wg.Wait()
	slices.SortFunc(out, func(a, b Readiness) int { return strings.Compare(a.Backend, b.Backend) })
	return out
}

// PoolStats reports the pool statistics of every open database, by name.
func (s *Set) PoolStats() map[string]sql.DBStats {
	out := make(map[string]sql.DBStats, len(s.databases))
	for name, db := range s.databases {
		out[name] = db.Stats()
	}
	return out
}

// UpstreamStats reports the counters and state of every open upstream
// client.
func (s *Set) UpstreamStats() []upstream.Stats {
	out := make([]upstream.Stats, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c.Stats())
	}
	return out
}
