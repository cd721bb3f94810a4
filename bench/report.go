package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// write writes bench/results/<date>.md and its chart <date>.svg.
func (s *suite) write(dir string, took time.Duration) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	date := time.Now().Format("2006-01-02")
	chart := date + ".svg"
	if err := s.chart(filepath.Join(dir, chart)); err != nil {
		return fmt.Errorf("drawing the chart: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# aposproxy benchmark, %s\n\n", date)
	fmt.Fprintf(&b, "Machine: %s. Commit %s. Measured in %s.\n\n", machine(), s.commit(), took.Round(time.Second))
	fmt.Fprintf(&b, "Pinning: %s\n\n", s.pinningNote())
	fmt.Fprintf(&b, "Command: `go run ./bench %s` (from the repository root; `-h` lists the flags).\n\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(&b, "Each scenario alternates its systems for %d rounds of %s each (closed loop, %d connections, after a %s warm-up of each), "+
		"driven by `aposproxy bench` from a process of its own over loopback. Figures are medians of the rounds; a ratio is the median of the "+
		"rounds' ratios of aposproxy's requests per second to the baseline's, both measured in the same round. Allocations are the serving "+
		"process's (runtime.MemStats.Mallocs) divided by the requests it answered: the whole request, server side.\n\n", s.rounds, s.round, s.conns, s.warmup)
	fmt.Fprintf(&b, "![ratios and latencies](%s)\n\n", chart)
	s.writeThroughput(&b)
	s.writeLatency(&b)
	s.writeMemory(&b)
	s.writeTargets(&b)
	s.writeProfiles(&b)
	if len(s.notes) > 0 {
		b.WriteString("## Notes\n\n")
		for _, n := range s.notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	path := filepath.Join(dir, date+".md")
	s.logf("wrote %s and %s", path, filepath.Join(dir, chart))
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// writeThroughput writes one row per scenario and baseline.
func (s *suite) writeThroughput(b *strings.Builder) {
	b.WriteString("## Throughput\n\n")
	b.WriteString("| scenario | aposproxy req/s | baseline | baseline req/s | ratio | target | p50 ms (proxy / baseline) | p99 ms (proxy / baseline) | allocs/req (proxy / baseline) | CPU µs/req (proxy / baseline) |\n")
	b.WriteString("| --- | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n")
	for _, r := range s.results {
		for j := 1; j < len(r.systems); j++ {
			target := "none"
			for _, g := range r.goals {
				if g.vs == j {
					target = fmt.Sprintf("≥ %.2f: %s", g.min, verdict(r.met(g)))
				}
			}
			fmt.Fprintf(b, "| %s | %.0f | %s | %.0f | **%.2f** | %s | %s / %s | %s / %s | %s / %s | %s / %s |\n",
				r.name, r.column(0, rps), r.systems[j], r.column(j, rps), r.ratio(0, j), target,
				num(r.column(0, p50)), num(r.column(j, p50)), num(r.column(0, p99)), num(r.column(j, p99)),
				allocs(r.column(0, allocsOf)), allocs(r.column(j, allocsOf)), allocs(r.column(0, cpuOf)), allocs(r.column(j, cpuOf)))
		}
		if n := r.failed(); n > 0 {
			fmt.Fprintf(b, "| %s: %d answers were not 2xx/3xx | | | | | | | | | |\n", r.name, n)
		}
	}
	b.WriteString("\n")
}

// writeLatency writes the open-model runs at shares of the peak rate.
func (s *suite) writeLatency(b *strings.Builder) {
	if len(s.latency) == 0 {
		return
	}
	fmt.Fprintf(b, "## Latency under a constant rate (open model, fixed schedule, %s per run)\n\n", s.latencyRun)
	b.WriteString("The servers on core 0 and the load generator on core 1 (when pinned, see above); the peak is aposproxy's closed-loop " +
		"throughput in the same setting, and each system gets the same rate. Requests are sent on a fixed schedule and each latency runs " +
		"from the request's time in the schedule, so a stall of the server counts for every request it delays. The generator checks " +
		"itself: a run where it sent its requests late (the p99 of the lag behind the schedule above 1 ms) did not keep its schedule, " +
		"and its latencies are the generator's, not the server's: **invalid**; its CPU time per request says how many requests a " +
		"second one core of this machine can send (10^6 / µs), whatever else ran. The first row is that check alone, at " +
		fmt.Sprint(selfCheckRate) + " req/s against a handler that answers a static `{}`. Each run opens at most " +
		fmt.Sprint(latencyConns*s.conns) + " connections (wrk2 keeps a fixed set too): a request that finds them all busy waits, " +
		"its latency running, so that a stall of the server meets a queue rather than a storm of new connections. The server's CPU " +
		"time per request is its process's (user and system) over the run; times the rate it says how busy the servers' core was, " +
		"which at a share of the closed-loop peak is more than that share: a request arriving alone at an idle server costs it a " +
		"wake-up that a closed loop's back-to-back requests share.\n\n")
	fmt.Fprintf(b, "Load average (1, 5, 15 min) before the runs: %s; after: %s.\n\n", s.loadBefore, s.loadAfter)
	b.WriteString("| scenario | pinned peak | share | rate | system | p50 ms | p99 ms | p99.9 ms | max ms | failed | server CPU µs/req (core busy) | schedule kept |\n" +
		"| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, l := range s.latency {
		peak, share := "—", "—"
		if l.share > 0 {
			peak, share = fmt.Sprintf("%.0f/s", l.rps), fmt.Sprintf("%.0f%%", 100*l.share)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %d/s | %s | %s | %s | %s | %s | %d | %s | %s |\n", l.name, peak, share, l.rate, l.system,
			num(l.p50), num(l.p99), num(l.p999), num(l.mx), l.failed, coreBusy(l), s.kept(l))
	}
	b.WriteString("\n")
}

// coreBusy is the serving process's CPU time per request in run l, and
// the share of a core that made at its rate.
func coreBusy(l latencyCheck) string {
	if l.cpuMicros < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f (%.0f%%)", l.cpuMicros, l.cpuMicros*float64(l.rate)/1e4)
}

// kept says whether the generator kept its schedule in run l.
func (s *suite) kept(l latencyCheck) string {
	switch {
	case l.kept:
		return fmt.Sprintf("yes (lag p99 %.2f ms; %.1f µs CPU/req)", l.lagP99, l.genMicros)
	case l.saturated:
		return fmt.Sprintf("no: the server was saturated (requests waited for one of %d connections)", latencyConns*s.conns)
	}
	return fmt.Sprintf("**no** (lag p99 %.2f ms; %.1f µs CPU/req): invalid", l.lagP99, l.genMicros)
}

// pinningNote says how the runs were placed on the cores.
func (s *suite) pinningNote() string {
	if s.pinning() {
		return fmt.Sprintf("the closed-loop throughput runs are not pinned (the load generator and the servers share all %d cores; "+
			"ratios compare systems under the same contention). The open-model latency runs are: the servers (and the services "+
			"they front, and nginx) on core 0 with GOMAXPROCS=1, the load generator on core 1 (taskset).", s.cpus)
	}
	return fmt.Sprintf("none; the load generator and the servers share all %d cores, so latencies include their contention.", s.cpus)
}

// writeMemory writes the soak runs of the real binary.
func (s *suite) writeMemory(b *strings.Builder) {
	m := s.memory
	if m == nil {
		return
	}
	fmt.Fprintf(b, "## Memory (the aposproxy binary, SQLite, anonymous mix over product, category and article, %s per run)\n\n", m.soak)
	b.WriteString("| run | req/s | resident MiB after |\n| ---: | ---: | ---: |\n")
	for i := range m.rssMiB {
		fmt.Fprintf(b, "| %d | %.0f | %.1f |\n", i+1, m.rps[i], m.rssMiB[i])
	}
	fmt.Fprintf(b, "\nPeak resident size (VmHWM): %.1f MiB.\n\n", m.hwmMiB)
}

// writeTargets states every target of the issue and whether it is met.
func (s *suite) writeTargets(b *strings.Builder) {
	b.WriteString("## Targets\n\n")
	for _, r := range s.results {
		for _, g := range r.goals {
			fmt.Fprintf(b, "- %s: at least %.0f%% of %s's throughput: %.0f%%, **%s**.\n",
				r.name, 100*g.min, r.systems[g.vs], 100*r.ratio(0, g.vs), verdict(r.met(g)))
		}
		if strings.HasPrefix(r.name, "SQLite GET one") {
			a := r.column(0, allocsOf)
			fmt.Fprintf(b, "- %s: under 50 allocations per request (whole request, server side): %s, **%s**.\n", r.name, allocs(a), verdict(a >= 0 && a < 50))
		}
	}
	for _, l := range s.latency {
		if l.share == 0.5 && l.system == "aposproxy" {
			v := verdict(l.p99 < latencyTarget)
			if !l.kept {
				v = "not measured: the load generator did not keep its schedule"
			}
			fmt.Fprintf(b, "- %s: p99 under %d ms at half the peak rate (%d/s): %s ms, **%s**.\n", l.name, latencyTarget, l.rate, num(l.p99), v)
		}
	}
	if m := s.memory; m != nil {
		fmt.Fprintf(b, "- Memory: resident size under %d MiB after each %s run at peak rate, and no growth across three runs (at most %.0f%%): %.1f, %.1f, %.1f MiB, **%s**",
			maxRSSMiB, m.soak, 100*maxGrowth, m.rssMiB[0], m.rssMiB[1], m.rssMiB[2], verdict(m.met()))
		if m.soak < time.Minute {
			b.WriteString(" (the target is stated for 60 s runs: `-soak 60s`)")
		}
		b.WriteString(".\n")
	}
	b.WriteString("\n")
}

// writeProfiles writes where the proxy's time and allocations go.
func (s *suite) writeProfiles(b *strings.Builder) {
	if len(s.profiles) == 0 {
		return
	}
	b.WriteString("## Where the time goes\n\nCPU and allocation profiles of the serving process during 5 s of each scenario " +
		"(the load generator runs elsewhere); the raw profiles are in bench/out/.\n\n")
	for _, p := range s.profiles {
		fmt.Fprintf(b, "### %s\n\n```\n%s\n```\n\n```\n%s\n```\n\n", p.name, p.cpu, p.allocs)
	}
}

func rps(x sample) float64      { return x.rps }
func p50(x sample) float64      { return x.p50 }
func p99(x sample) float64      { return x.p99 }
func allocsOf(x sample) float64 { return x.allocs }
func cpuOf(x sample) float64    { return x.cpuMicros }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

func num(v float64) string { return fmt.Sprintf("%.2f", v) }

// allocs formats allocations per request; a negative count was not
// measured (the system runs in another process).
func allocs(v float64) string {
	if v < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", v)
}

// machine describes the machine: CPU, cores, memory, kernel, Go.
func machine() string {
	cpu, mem := "unknown CPU", ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:"), "%f", &kb)
		mem = fmt.Sprintf(", %.0f GiB", kb/1024/1024)
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return fmt.Sprintf("%s, %d cores (GOMAXPROCS %d)%s, %s %s, %s", cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0), mem,
		runtime.GOOS, strings.TrimSpace(string(kernel)), runtime.Version())
}

// commit is the repository's HEAD, marked when the tree has changes.
func (s *suite) commit() string {
	out, err := exec.Command("git", "-C", s.root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", s.root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += " (with uncommitted changes)"
	}
	return c
}
