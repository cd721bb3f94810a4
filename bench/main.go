// Command bench is the reproducible benchmark suite behind the figures of
// the README: run from the repository root,
//
//	go run ./bench [-rounds 5] [-round 3s] [-soak 20s]
//
// It builds aposproxy (whose `bench` subcommand drives all the load, from
// a process of its own), serves the shop with aposproxy's real handler and
// with a bare fasthttp handler running the same prepared queries, on
// SQLite and, when APOSPROXY_TEST_POSTGRES_DSN / APOSPROXY_TEST_MYSQL_DSN
// are set, on PostgreSQL and MySQL; it runs the inventory service and
// measures aposproxy's upstream type against direct calls, a Go
// pass-through proxy, and nginx's proxy_pass when nginx is installed.
// Each scenario alternates its systems for several rounds and reports
// medians and ratios. It also measures p99 latency at half the peak rate
// (open model), the resident memory of the real binary across three soak
// runs, and CPU profiles of the proxy. It writes bench/results/<date>.md
// and <date>.svg, and everything raw to bench/out/. Loopback only; it
// stops by itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// suite holds the settings and findings of one run.
type suite struct {
	root, tmp, out, bin string
	rounds, conns       int
	round, warmup, soak time.Duration
	latencyRun          time.Duration // one open-model run
	// latencyOnly names the latency scenarios to run (-latency-only);
	// empty for all of them.
	latencyOnly []string
	// loadBefore and loadAfter are the load averages around the latency
	// child's run.
	loadBefore, loadAfter string
	results               []*result
	latency               []latencyCheck
	memory                *memoryCheck
	profiles              []profile
	notes                 []string
	// cpus is the number of cores; noPin turns the latency child's
	// pinning off; pinned is set in the child when it runs pinned.
	cpus          int
	noPin, pinned bool
	// prev is the earlier commit measured beside today's (-previous).
	prev *previous
	// only names the one scenario to run (-only), or "".
	only string
}

func main() {
	s := &suite{}
	flag.IntVar(&s.rounds, "rounds", 5, "alternate rounds per scenario")
	flag.DurationVar(&s.round, "round", 3*time.Second, "length of one system's turn in a round")
	flag.DurationVar(&s.warmup, "warmup", 2*time.Second, "unmeasured load before each system's first round")
	flag.IntVar(&s.conns, "connections", 16, "connections of the closed-loop load")
	flag.DurationVar(&s.soak, "soak", 20*time.Second, "length of each of the three memory soak runs (the target is stated for 60s)")
	flag.DurationVar(&s.latencyRun, "latency", 10*time.Second, "length of each open-model latency run")
	results := flag.String("results", "bench/results", "directory of the report and chart")
	flag.BoolVar(&s.noPin, "no-pin", false, "run the latency measurements unpinned (they are pinned with taskset when it is installed)")
	prevCommit := flag.String("previous", "", "also measure aposproxy at `COMMIT` (the last report's) on the SQLite scenarios that existed then")
	latencyOnly := flag.String("latency-only", "", "run only the pinned latency runs of the `scenarios` named (all, or some of "+strings.Join(latencyScenarios, ",")+
		"), print their table and write it to bench/out/")
	child := flag.String("latency-child", "", "internal: run as the pinned latency child, writing its findings to `FILE`")
	flag.StringVar(&s.bin, "bin", "", "internal: the aposproxy binary the latency child drives the load with")
	flag.StringVar(&s.only, "only", "", "run only the `SCENARIO` named (upstream, or an engine's shop: sqlite, postgres, mysql) and print its findings instead of writing a report")
	flag.Parse()
	s.cpus = runtime.NumCPU()
	if *latencyOnly != "" && *latencyOnly != "all" {
		s.latencyOnly = strings.Split(*latencyOnly, ",")
		for _, n := range s.latencyOnly {
			if !slices.Contains(latencyScenarios, n) {
				fmt.Fprintf(os.Stderr, "bench: -latency-only: unknown scenario %q (all, or some of %s)\n", n, strings.Join(latencyScenarios, ","))
				os.Exit(2)
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case *child != "":
		err = s.child(ctx, *child)
	case *latencyOnly != "":
		err = s.latencyAlone(ctx)
	case s.only != "":
		err = s.runOnly(ctx)
	case *growthMode:
		err = s.growth(ctx, *results) // bench/growth.go
	default:
		err = s.run(ctx, *results, *prevCommit)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// setup finds the repository and makes the output and temporary
// directories; the caller removes s.tmp.
func (s *suite) setup() error {
	var err error
	if s.root, err = repoRoot(); err != nil {
		return err
	}
	s.out = filepath.Join(s.root, "bench", "out")
	if err := os.MkdirAll(s.out, 0o755); err != nil {
		return err
	}
	s.tmp, err = os.MkdirTemp("", "aposproxy-bench")
	return err
}

// child is the pinned latency child (pin.go), driving the load with the
// binary its parent built.
func (s *suite) child(ctx context.Context, out string) error {
	if err := s.setup(); err != nil {
		return err
	}
	defer os.RemoveAll(s.tmp)
	return s.latencyChild(ctx, out)
}

// latencyAlone runs the pinned latency child alone (-latency-only), for a
// quick rerun of those figures: it prints their table and writes it to
// bench/out/latency-<time>.md.
func (s *suite) latencyAlone(ctx context.Context) error {
	if err := s.setupWithBinary(); err != nil {
		return err
	}
	defer os.RemoveAll(s.tmp)
	if err := s.pinnedLatency(ctx); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Machine: %s. Commit %s.\n\nPinning: %s\n\n", machine(), s.commit(), s.pinningNote())
	s.writeLatency(&b)
	path := filepath.Join(s.out, "latency-"+time.Now().Format("2006-01-02T150405")+".md")
	fmt.Print(b.String())
	s.logf("wrote %s", path)
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// setupWithBinary is setup, then the aposproxy binary built into s.tmp
// (s.bin), which the load generator and the latency child run; once it
// succeeds, the caller removes s.tmp.
func (s *suite) setupWithBinary() error {
	if err := s.setup(); err != nil {
		return err
	}
	s.bin = filepath.Join(s.tmp, "aposproxy")
	s.logf("building aposproxy")
	if err := s.goBuild(s.bin, "."); err != nil {
		os.RemoveAll(s.tmp)
		return err
	}
	return nil
}

// run measures everything and writes the report.
func (s *suite) run(ctx context.Context, results, prevCommit string) error {
	err := s.setupWithBinary()
	if err != nil {
		return err
	}
	defer os.RemoveAll(s.tmp)
	started := time.Now()
	if prevCommit != "" {
		s.logf("building and starting aposproxy at %s", prevCommit)
		if s.prev, err = s.startPrevious(ctx, prevCommit); err != nil {
			return err
		}
		defer s.prev.stop()
	}
	if err := s.sqlScenarios(ctx); err != nil {
		return err
	}
	if err := s.upstreamScenario(ctx); err != nil {
		s.notes = append(s.notes, "The upstream scenario did not run: "+err.Error())
		s.logf("upstream scenario skipped: %v", err)
	}
	if err := s.memorySoak(ctx); err != nil {
		return err
	}
	if err := s.pinnedLatency(ctx); err != nil {
		return err
	}
	s.logf("measured in %s", time.Since(started).Round(time.Second))
	if !filepath.IsAbs(results) {
		results = filepath.Join(s.root, results)
	}
	return s.write(results, time.Since(started))
}

// runOnly runs the one scenario -only names, with its profile, and prints
// its throughput, targets and profile on standard output: a quick check
// of one change, which leaves the day's report alone.
func (s *suite) runOnly(ctx context.Context) error {
	engine := slices.IndexFunc(engines, func(e engine) bool { return e.name == s.only })
	if s.only != "upstream" && engine < 0 {
		return fmt.Errorf("-only %q: the scenarios that run alone are upstream, sqlite, postgres and mysql", s.only)
	}
	if err := s.setupWithBinary(); err != nil {
		return err
	}
	defer os.RemoveAll(s.tmp)
	var err error
	if engine >= 0 {
		err = s.engineScenarios(ctx, engines[engine])
	} else {
		err = s.upstreamScenario(ctx)
	}
	if err != nil {
		return err
	}
	var b strings.Builder
	s.writeThroughput(&b)
	s.writeCPUSplit(&b)
	s.writeTargets(&b)
	s.writeProfiles(&b)
	for _, n := range s.notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	_, err = os.Stdout.WriteString(b.String())
	return err
}

// writeCPUSplit writes each system's CPU time per request in user space
// and in the kernel (medians over the rounds).
func (s *suite) writeCPUSplit(b *strings.Builder) {
	b.WriteString("| scenario | system | CPU µs/req | user | kernel |\n| --- | --- | ---: | ---: | ---: |\n")
	for _, r := range s.results {
		for i, name := range r.systems {
			cpu, sys := r.column(i, cpuOf), r.column(i, func(x sample) float64 { return x.sysMicros })
			fmt.Fprintf(b, "| %s | %s | %.1f | %.1f | %.1f |\n", r.name, name, cpu, cpu-sys, sys)
		}
	}
	b.WriteString("\n")
}

// sqlScenarios measures the shop on every engine available: GET one on
// each, and on SQLite also the list of 10, the latency at half the peak
// rate, and CPU profiles.
func (s *suite) sqlScenarios(ctx context.Context) error {
	for _, e := range engines {
		if err := s.engineScenarios(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// engine is a SQL engine the shop runs on, and the variable of the DSN
// of its server (none for the embedded SQLite).
type engine struct{ name, label, env string }

var engines = []engine{
	{"sqlite", "SQLite", ""},
	{"postgres", "PostgreSQL", "APOSPROXY_TEST_POSTGRES_DSN"},
	{"mysql", "MySQL", "APOSPROXY_TEST_MYSQL_DSN"},
}

// engineScenarios measures the shop on e, or notes why it could not.
func (s *suite) engineScenarios(ctx context.Context, e engine) error {
	dsn := ""
	if e.env != "" {
		if dsn = os.Getenv(e.env); dsn == "" {
			s.notes = append(s.notes, fmt.Sprintf("%s was not measured: %s is not set.", e.label, e.env))
			return nil
		}
	}
	s.logf("starting the shop on %s", e.label)
	sh, err := startShop(ctx, s.root, s.tmp, e.name, dsn)
	if err != nil {
		return err
	}
	defer sh.close()
	return s.shopScenarios(ctx, sh, e.label)
}

// goBuild builds the package pkg of the repository into out.
func (s *suite) goBuild(out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = s.root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// repoRoot finds the repository root: the directory of go.mod above this
// source file, or above the working directory.
func repoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	dirs := []string{}
	if ok {
		dirs = append(dirs, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	for _, d := range dirs {
		for ; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				if _, err := os.Stat(filepath.Join(d, "config.toml")); err == nil {
					return d, nil
				}
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("run from the aposproxy repository: no go.mod and config.toml found")
}
