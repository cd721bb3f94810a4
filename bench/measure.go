package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/bench/loadgen"
)

// system is one thing a scenario measures: aposproxy or a baseline, as the
// `aposproxy bench` flags that select it.
type system struct {
	name string
	args []string // -target ... or -targets ...
	// srv is the server of this process that answers, for allocations per
	// request; nil when it runs elsewhere (nginx, the inventory service).
	srv *server
	// pid is the process that serves, for its CPU time per request: 0 for
	// this process (with srv), -1 when not measured.
	pid int
}

// sample is one round of one system.
type sample struct {
	rps, p50, p99 float64
	allocs        float64 // per request, -1 when not measured
	cpuMicros     float64 // the serving process's CPU time per request, µs; -1 when not measured
	sysMicros     float64 // the part of cpuMicros spent in the kernel
	failed        int     // answers other than 2xx and 3xx
}

// result is a measured scenario: the systems side by side, round by round.
type result struct {
	name    string
	goals   []goal
	systems []string
	rounds  [][]sample // [round][system]
}

// goal is a target of the issue: the first system's throughput is at
// least min times system vs's.
type goal struct {
	vs  int
	min float64
}

// runLoad runs `aposproxy bench` against sys for d with extra flags, and
// counts this process's allocations per request while it runs.
func (s *suite) runLoad(ctx context.Context, sys system, d time.Duration, extra ...string) (*loadgen.Report, sample, error) {
	args := []string{"bench", "-json", "-quiet", "-warmup", "0", "-duration", d.String(),
		"-connections", strconv.Itoa(s.conns)}
	args = append(append(args, sys.args...), extra...)
	var before, after runtime.MemStats
	var n0 int64
	if sys.srv != nil {
		n0 = sys.srv.n.Load()
	}
	pid := sys.pid
	if pid == 0 {
		pid = os.Getpid()
	}
	user0, sys0 := cpuSplit(pid)
	runtime.ReadMemStats(&before)
	cmd := exec.CommandContext(ctx, s.bin, args...)
	if s.pinned {
		// The servers of this process run on core 0 (see pin.go).
		cmd = exec.CommandContext(ctx, "taskset", append([]string{"-c", "1", s.bin}, args...)...)
		cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	runtime.ReadMemStats(&after)
	user1, sys1 := cpuSplit(pid)
	if err != nil {
		return nil, sample{}, fmt.Errorf("aposproxy %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var r loadgen.Report
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, sample{}, fmt.Errorf("reading the report of %s: %w", sys.name, err)
	}
	smp := sample{rps: r.RPS, p50: r.Latency.P50, p99: r.Latency.P99, allocs: -1, cpuMicros: -1}
	if sys.pid >= 0 && r.Requests > 0 {
		smp.cpuMicros = 1e6 * (user1 + sys1 - user0 - sys0) / float64(r.Requests)
		smp.sysMicros = 1e6 * (sys1 - sys0) / float64(r.Requests)
	}
	for code, n := range r.Status {
		if code == "" || code[0] < '2' || code[0] > '3' {
			smp.failed += n
		}
	}
	if sys.srv != nil {
		if served := sys.srv.n.Load() - n0; served > 0 {
			smp.allocs = float64(after.Mallocs-before.Mallocs) / float64(served)
		}
	}
	return &r, smp, nil
}

// measure runs the systems of a scenario in alternate rounds (A B C,
// C B A, ...), after an unmeasured warm-up of each, so that the machine's
// drift during the run hits them alike.
func (s *suite) measure(ctx context.Context, name string, goals []goal, systems []system, extra ...string) (*result, error) {
	res := &result{name: name, goals: goals}
	for _, sys := range systems {
		res.systems = append(res.systems, sys.name)
		s.logf("%s: warming up %s", name, sys.name)
		if _, _, err := s.runLoad(ctx, sys, s.warmup, extra...); err != nil {
			return nil, err
		}
	}
	for round := range s.rounds {
		row := make([]sample, len(systems))
		for k := range systems {
			i := k
			if round%2 == 1 {
				i = len(systems) - 1 - k
			}
			_, smp, err := s.runLoad(ctx, systems[i], s.round, extra...)
			if err != nil {
				return nil, err
			}
			row[i] = smp
			s.logf("%s: round %d/%d, %s: %.0f req/s, p99 %.2fms, %.1f allocs/req",
				name, round+1, s.rounds, systems[i].name, smp.rps, smp.p99, smp.allocs)
		}
		res.rounds = append(res.rounds, row)
	}
	return res, nil
}

// column is the median over the rounds of one figure of system i.
func (r *result) column(i int, f func(sample) float64) float64 {
	var xs []float64
	for _, row := range r.rounds {
		xs = append(xs, f(row[i]))
	}
	return loadgen.Median(xs)
}

// ratio is the median over the rounds of system i's throughput divided by
// system j's, both measured in the same round.
func (r *result) ratio(i, j int) float64 {
	var xs []float64
	for _, row := range r.rounds {
		if row[j].rps > 0 {
			xs = append(xs, row[i].rps/row[j].rps)
		}
	}
	return loadgen.Median(xs)
}

// met reports whether goal g is met.
func (r *result) met(g goal) bool { return r.ratio(0, g.vs) >= g.min }

// failed counts the answers other than 2xx/3xx over every round.
func (r *result) failed() int {
	n := 0
	for _, row := range r.rounds {
		for _, smp := range row {
			n += smp.failed
		}
	}
	return n
}

// logf prints the suite's progress on standard error.
func (s *suite) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
