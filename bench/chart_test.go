package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChartNamesEveryComparison draws the chart of a report with more
// comparisons than fit side by side, and finds each one named in it.
func TestChartNamesEveryComparison(t *testing.T) {
	s := &suite{}
	for _, name := range []string{"SQLite GET one", "PostgreSQL GET one", "MySQL GET one", "Upstream GET one"} {
		r := &result{name: name, systems: []string{"aposproxy", "bare handler", "nginx proxy_pass"}, goals: []goal{{1, 0.95}}}
		for i := range 3 {
			f := float64(i)
			r.rounds = append(r.rounds, []sample{{rps: 1000 + f, p50: 1, p99: 3}, {rps: 900 + f, p50: 1.2, p99: 4}, {rps: 1100, p50: 0.9, p99: 2}})
		}
		s.results = append(s.results, r)
	}
	path := filepath.Join(t.TempDir(), "chart.svg")
	if err := s.chart(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range s.results {
		for _, vs := range r.systems[1:] {
			if name := r.name + " vs " + vs; !strings.Contains(string(b), name) {
				t.Errorf("the chart does not name %q", name)
			}
		}
	}
}
