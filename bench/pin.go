package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/valyala/fasthttp"
)

// Latency under a constant rate is measured with the servers and the load
// generator on separate cores: on two shared cores the generator and the
// server fight for the same CPU, and what p99 then shows is that fight.
// The suite runs these measurements in a child process of its own, pinned
// with taskset to core 0 (GOMAXPROCS=1; the services it starts, such as
// the inventory service and nginx, inherit the pinning), and runs every
// load generator of the child on core 1.

// latencyShares are the shares of the pinned peak the open-model runs send.
var latencyShares = []float64{0.25, 0.5, 0.75}

// latencyConns is the open-model runs' connections at most, as a multiple
// of the closed loop's: enough for the bursts of random arrivals at any
// share of the peak, few enough that a stall of the server meets a queue
// of requests (whose latency runs from their time in the schedule) rather
// than thousands of new connections (bench/loadgen/open.go).
const latencyConns = 4

// latencyScenarios name the scenarios of the latency child, as
// -latency-only takes them.
var latencyScenarios = []string{"get", "list", "upstream"}

// selfCheckRate is the rate the load generator must keep, on its one
// core, against a handler that costs next to nothing: well above any
// rate the latency runs send (the pinned peak of SQLite GET one is about
// 16,000/s, so 75% of it is 12,000/s).
const selfCheckRate = 20000

// latencyWire is a latencyCheck on its way from the pinned child.
type latencyWire struct {
	Name, System                     string
	Share                            float64
	Rate                             int
	P50, P99, P999, Max, RPS, LagP99 float64
	GenMicros, CPUMicros             float64
	Failed                           int
	Kept, Saturated                  bool
}

// pinnedLatency runs the latency child and keeps its findings; without
// taskset, or with fewer than two cores, the child runs unpinned and the
// report says so.
func (s *suite) pinnedLatency(ctx context.Context) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	out := filepath.Join(s.tmp, "latency.json")
	args := []string{"-latency-child", out, "-bin", s.bin, "-round", s.round.String(), "-warmup", s.warmup.String(),
		"-connections", fmt.Sprint(s.conns), "-latency", s.latencyRun.String(), "-latency-only", strings.Join(s.latencyOnly, ",")}
	var cmd *exec.Cmd
	if s.pinning() {
		cmd = exec.CommandContext(ctx, "taskset", append([]string{"-c", "0", self}, args...)...)
		cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	} else {
		cmd = exec.CommandContext(ctx, self, append(args, "-no-pin")...)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	s.logf("latency: running the pinned child")
	s.loadBefore = loadAverage()
	err = cmd.Run()
	s.loadAfter = loadAverage()
	if err != nil {
		return fmt.Errorf("the latency child: %w", err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	var got []latencyWire
	if err := json.Unmarshal(data, &got); err != nil {
		return err
	}
	for _, l := range got {
		s.latency = append(s.latency, latencyCheck{name: l.Name, system: l.System, share: l.Share, rate: l.Rate,
			p50: l.P50, p99: l.P99, p999: l.P999, mx: l.Max, rps: l.RPS, failed: l.Failed, kept: l.Kept, lagP99: l.LagP99,
			saturated: l.Saturated, genMicros: l.GenMicros, cpuMicros: l.CPUMicros})
	}
	return nil
}

// loadAverage is the machine's load average over 1, 5 and 15 minutes, as
// /proc/loadavg gives it: pinned latencies are only as good as the cores
// were free.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}

// wants reports whether the latency child runs the scenario named (one of
// latencyScenarios).
func (s *suite) wants(name string) bool {
	return len(s.latencyOnly) == 0 || slices.Contains(s.latencyOnly, name)
}

// pinning reports whether the latency runs can be pinned: taskset is
// installed and there are two cores at least.
func (s *suite) pinning() bool {
	if s.noPin || s.cpus < 2 {
		return false
	}
	_, err := exec.LookPath("taskset")
	return err == nil
}

// latencyChild is the pinned child's whole work: the load generator's
// self-check, then for each scenario the peak and runs at each share of
// it, for SQLite GET one and list of 10 (aposproxy and the bare handler)
// and the upstream GET one (aposproxy). It writes its findings as JSON to
// out.
func (s *suite) latencyChild(ctx context.Context, out string) error {
	// The parent decided: the child, pinned to one core, sees one CPU
	// (runtime.NumCPU counts those of its affinity), and deciding again
	// here left every load generator on the servers' core.
	s.pinned = !s.noPin
	if err := s.generatorCheck(ctx); err != nil {
		return err
	}
	sh, err := startShop(ctx, s.root, s.tmp, "sqlite", "")
	if err != nil {
		return err
	}
	defer sh.close()
	proxy := system{name: "aposproxy", args: []string{"-target", sh.proxy.url + "/api/v1"}, srv: sh.proxy}
	bare := system{name: "bare handler", args: []string{"-target", sh.bare.url + "/api/v1"}, srv: sh.bare}
	get := []string{"-types", "product", "-locales", "en", "-mix", "get=1"}
	list := []string{"-types", "product", "-locales", "en", "-mix", "list=1", "-per-page", fmt.Sprint(benchPerPage)}
	for _, sc := range []struct {
		key, name string
		args      []string
	}{{"get", "SQLite GET one", get}, {"list", "SQLite list of 10", list}} {
		if !s.wants(sc.key) {
			continue
		}
		if err := s.latencyAtShares(ctx, sc.name, []system{proxy, bare}, sc.args); err != nil {
			return err
		}
	}
	var up *upstream
	if s.wants("upstream") {
		up, err = s.startUpstream(ctx)
	}
	if err != nil {
		s.logf("latency: upstream not measured: %v", err)
	} else if up != nil {
		err = s.latencyAtShares(ctx, "Upstream GET one", up.systems[:1], nil)
		up.stop()
		if err != nil {
			return err
		}
	}
	var wire []latencyWire
	for _, l := range s.latency {
		wire = append(wire, latencyWire{Name: l.name, System: l.system, Share: l.share, Rate: l.rate,
			P50: l.p50, P99: l.p99, P999: l.p999, Max: l.mx, RPS: l.rps, Failed: l.failed, Kept: l.kept, LagP99: l.lagP99,
			Saturated: l.saturated, GenMicros: l.genMicros, CPUMicros: l.cpuMicros})
	}
	data, err := json.Marshal(wire)
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// generatorCheck shows that the load generator, on its one core, keeps a
// schedule of selfCheckRate requests a second against a handler that
// costs next to nothing (a static {} served on the servers' core): the
// first row of the latency table. A generator that cannot keep that rate
// marks its own runs, not the servers'.
func (s *suite) generatorCheck(ctx context.Context) error {
	srv, err := serve(func(c *fasthttp.RequestCtx) {
		c.SetContentType("application/json")
		c.SetBodyString("{}")
	}, nil)
	if err != nil {
		return err
	}
	defer srv.close()
	file := filepath.Join(s.tmp, "static.targets")
	if err := os.WriteFile(file, []byte("GET "+srv.url+"/\n"), 0o644); err != nil {
		return err
	}
	sys := system{name: "static {} handler", args: []string{"-targets", file}, srv: srv}
	if _, _, err := s.runLoad(ctx, sys, s.warmup, "-rate", fmt.Sprint(selfCheckRate)); err != nil {
		return err
	}
	return s.openRun(ctx, "Load generator self-check", sys, 0, selfCheckRate, 0)
}

// latencyAtShares measures the first system's closed-loop peak (the best
// of two rounds after a warm-up), then sends each share of it to every
// system for s.latencyRun (the open model, bench/loadgen/open.go).
func (s *suite) latencyAtShares(ctx context.Context, name string, systems []system, args []string) error {
	if _, _, err := s.runLoad(ctx, systems[0], s.warmup, args...); err != nil {
		return err
	}
	peak := 0.0
	for range 2 {
		_, smp, err := s.runLoad(ctx, systems[0], s.round, args...)
		if err != nil {
			return err
		}
		peak = max(peak, smp.rps)
	}
	s.logf("%s: pinned peak %.0f req/s", name, peak)
	for _, share := range latencyShares {
		rate := int(peak * share)
		for _, sys := range systems {
			if err := s.openRun(ctx, name, sys, share, rate, peak, args...); err != nil {
				return err
			}
		}
	}
	return nil
}

// openRun sends rate requests a second (share of peak) to sys for
// s.latencyRun and keeps what it measured.
func (s *suite) openRun(ctx context.Context, name string, sys system, share float64, rate int, peak float64, args ...string) error {
	r, smp, err := s.runLoad(ctx, sys, s.latencyRun, append([]string{"-rate", fmt.Sprint(rate),
		"-max-connections", fmt.Sprint(latencyConns * s.conns)}, args...)...)
	if err != nil {
		return err
	}
	l, sch := r.Latency, r.Schedule
	if sch == nil {
		return fmt.Errorf("%s: the load generator reported no schedule", name)
	}
	s.logf("%s: %d req/s (open model) to %s: p50 %.2fms p99 %.2fms p99.9 %.2fms, %d failed; server %.1f µs CPU/req; "+
		"schedule kept %v (lag p99 %.3fms, %d connections, generator %.1f µs CPU/req)",
		name, rate, sys.name, l.P50, l.P99, l.P999, smp.failed, smp.cpuMicros, sch.Kept, sch.LagP99, sch.Workers, sch.CPUMicros)
	s.latency = append(s.latency, latencyCheck{name: name, system: sys.name, share: share, rate: rate,
		p50: l.P50, p99: l.P99, p999: l.P999, mx: l.Max, rps: peak, failed: smp.failed, kept: sch.Kept, lagP99: sch.LagP99,
		saturated: sch.Saturated, genMicros: sch.CPUMicros, cpuMicros: smp.cpuMicros})
	return nil
}
