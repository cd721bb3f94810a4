// Package loadgen is the `aposproxy bench` subcommand: a load generator
// that speaks Apostrophe's REST conventions. It discovers documents
// through the list route, sends a weighted mix of lists, single documents,
// searches, filters, draft reads and write cycles, and reports throughput,
// answers by status and latency percentiles, for one target or two
// compared in alternate rounds.
//
// Both models use fasthttp's client, which leaves more of a small machine
// to the server being measured: the closed loop (N connections as fast as
// they are answered, engine.go) and the open model (a constant rate on a
// fixed schedule, latency measured from each request's time in the
// schedule, open.go).
package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// Main runs `aposproxy bench` with args (the flags after "bench"). It
// returns the exit code: 0, 1 when the run could not be made (an
// unreachable target, nothing to send), 2 for bad arguments.
func Main(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy bench: %v\nRun 'aposproxy bench -h' for the flags.\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := o.run(ctx, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "aposproxy bench: %v\n", err)
		return 1
	}
	return 0
}

// run plans the requests of each target, drives them in alternate rounds,
// cleans up and writes the report.
func (o *options) run(ctx context.Context, stdout, stderr io.Writer) error {
	c := newClient(o)
	targets := []string{o.target}
	if o.compare != "" {
		targets = append(targets, o.compare)
	}
	cols := make([]*collector, len(targets))
	for i, t := range targets {
		p, err := o.plan(ctx, c, t)
		if err != nil {
			return err
		}
		cols[i] = &collector{p: p}
	}
	if o.targetsFile != "" {
		targets[0] = o.targetsFile
	}
	if o.warmup > 0 {
		for i, col := range cols {
			warm := &collector{p: col.p}
			o.drive(ctx, c, warm, o.warmup, fmt.Sprintf("%c warm-up", 'A'+i), stderr)
		}
	}
	per := o.duration / time.Duration(o.rounds)
	for round := range o.rounds {
		for k := range cols {
			i := k
			if round%2 == 1 {
				i = len(cols) - 1 - k // A B, B A, A B...: drift hits both alike
			}
			if ctx.Err() != nil {
				break
			}
			label := fmt.Sprintf("%c round %d/%d", 'A'+i, round+1, o.rounds)
			o.drive(ctx, c, cols[i], per, label, stderr)
		}
	}
	reports := make([]*Report, len(cols))
	for i, col := range cols {
		reports[i] = col.report(o, targets[i])
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		reports[i].Cleanup = col.p.cleanup(cctx, c)
		cancel()
	}
	var out any = reports[0]
	if len(reports) == 2 {
		out = compare(reports[0], reports[1])
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if cmp, ok := out.(*Comparison); ok {
		writeComparison(stdout, cmp)
	} else {
		writeText(stdout, reports[0])
	}
	return ctx.Err()
}

// plan discovers a target, or reads the -targets file.
func (o *options) plan(ctx context.Context, c *fasthttp.Client, target string) (*plan, error) {
	if o.targetsFile == "" {
		return discover(ctx, c, o, target)
	}
	f, err := os.Open(o.targetsFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tgts, err := readTargets(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.targetsFile, err)
	}
	if len(tgts) == 0 {
		return nil, fmt.Errorf("%s: no targets", o.targetsFile)
	}
	return rawPlan(o.targetsFile, tgts), nil
}

// drive runs one round of d against a collector's target, with a live
// progress line.
func (o *options) drive(ctx context.Context, c *fasthttp.Client, col *collector, d time.Duration, label string, stderr io.Writer) {
	before := col.done.Load()
	start := time.Now()
	stopProgress := o.progress(col, label, start, d, stderr)
	if o.rate > 0 {
		// The open model records each result itself, as it comes: no
		// goroutine to wake per request (open.go).
		runOpen(ctx, c, col.p, o, d, &col.pacing, col.add)
	} else {
		results := make(chan result, 4096)
		collected := make(chan struct{})
		go func() {
			for r := range results {
				col.add(&r)
			}
			close(collected)
		}()
		runClosed(ctx, c, col.p, o.conns, d, o.timeout, results)
		close(results)
		<-collected
	}
	stopProgress()
	col.round(before, time.Since(start))
}
