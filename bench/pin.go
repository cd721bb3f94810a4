package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// latencyWire is a latencyCheck on its way from the pinned child.
type latencyWire struct {
	Name, System             string
	Share                    float64
	Rate                     int
	P50, P99, P999, Max, RPS float64
	Failed                   int
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
		"-connections", fmt.Sprint(s.conns), "-latency", s.latencyRun.String()}
	var cmd *exec.Cmd
	if s.pinning() {
		cmd = exec.CommandContext(ctx, "taskset", append([]string{"-c", "0", self}, args...)...)
		cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	} else {
		cmd = exec.CommandContext(ctx, self, args...)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	s.logf("latency: running the pinned child")
	if err := cmd.Run(); err != nil {
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
			p50: l.P50, p99: l.P99, p999: l.P999, mx: l.Max, rps: l.RPS, failed: l.Failed})
	}
	return nil
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

// latencyChild is the pinned child's whole work: the peak, then runs at
// each share of it, for SQLite GET one and list of 10 (aposproxy and the
// bare handler) and the upstream GET one (aposproxy, and nginx when
// installed). It writes its findings as JSON to out.
func (s *suite) latencyChild(ctx context.Context, out string) error {
	s.pinned = s.pinning()
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
		name string
		args []string
	}{{"SQLite GET one", get}, {"SQLite list of 10", list}} {
		if err := s.latencyAtShares(ctx, sc.name, []system{proxy, bare}, sc.args); err != nil {
			return err
		}
	}
	up, err := s.startUpstream(ctx)
	if err != nil {
		s.logf("latency: upstream not measured: %v", err)
	} else {
		err = s.latencyAtShares(ctx, "Upstream GET one", up.systems[:1], nil)
		up.stop()
		if err != nil {
			return err
		}
	}
	var wire []latencyWire
	for _, l := range s.latency {
		wire = append(wire, latencyWire{Name: l.name, System: l.system, Share: l.share, Rate: l.rate,
			P50: l.p50, P99: l.p99, P999: l.p999, Max: l.mx, RPS: l.rps, Failed: l.failed})
	}
	data, err := json.Marshal(wire)
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// latencyAtShares measures the first system's closed-loop peak (the best
// of two rounds after a warm-up), then sends each share of it to every
// system for s.latencyRun (vegeta's open model).
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
			s.logf("%s: %d req/s (open model) to %s", name, rate, sys.name)
			r, smp, err := s.runLoad(ctx, sys, s.latencyRun, append([]string{"-rate", fmt.Sprint(rate)}, args...)...)
			if err != nil {
				return err
			}
			l := r.Latency
			s.latency = append(s.latency, latencyCheck{name: name, system: sys.name, share: share, rate: rate,
				p50: l.P50, p99: l.P99, p999: l.P999, mx: l.Max, rps: peak, failed: smp.failed})
		}
	}
	return nil
}
