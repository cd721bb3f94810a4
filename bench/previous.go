package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"
)

// previous is the aposproxy of an earlier commit (the last report's),
// built from a detached worktree and run as its own process over its own
// copy of the shop, so that the scenarios that existed then are measured
// side by side with today's in the same run.
type previous struct {
	commit string
	url    string // http://127.0.0.1:port
	pid    int
	stop   func()
}

// startPrevious builds commit in a temporary worktree and serves its shop
// (its own config.toml, its own SQLite file, seeded at its first start).
func (s *suite) startPrevious(ctx context.Context, commit string) (_ *previous, err error) {
	dir := filepath.Join(s.tmp, "previous")
	var stops []func()
	p := &previous{commit: commit, stop: func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}}
	defer func() {
		if err != nil {
			p.stop()
		}
	}()
	if out, err := exec.CommandContext(ctx, "git", "-C", s.root, "worktree", "add", "--detach", dir, commit).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git worktree add %s: %v: %s", commit, err, out)
	}
	stops = append(stops, func() { _ = exec.Command("git", "-C", s.root, "worktree", "remove", "--force", dir).Run() })
	if err := asMeasured(filepath.Join(dir, "config.toml")); err != nil {
		return nil, fmt.Errorf("the configuration at %s: %w", commit, err)
	}
	bin := filepath.Join(s.tmp, "aposproxy-previous")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir, build.Stdout, build.Stderr = dir, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building %s: %w", commit, err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "-listen", addr)
	cmd.Dir = dir // its own data/ in its worktree
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stops = append(stops, func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	if err := waitHTTP(addr, time.Minute); err != nil {
		return nil, fmt.Errorf("aposproxy at %s did not answer: %w", commit, err)
	}
	p.url, p.pid = "http://"+addr, cmd.Process.Pid
	return p, nil
}

// previousSystem is the earlier commit as a system of a scenario, when
// the run has one.
func (s *suite) previousSystem() []system {
	if s.prev == nil {
		return nil
	}
	return []system{{name: "aposproxy@" + s.prev.commit, args: []string{"-target", s.prev.url + "/api/v1"}, pid: s.prev.pid}}
}

// asMeasured rewrites the earlier commit's configuration at path to serve
// what today's proxy serves in the suite (startProxy): no relationship
// fields, no fields the proxy keeps itself, no request log and no admin
// listener (metrics). Without it the earlier binary would load related
// documents and log every request, and the comparison would measure that.
func asMeasured(path string) error {
	var cfg map[string]any
	if _, err := toml.DecodeFile(path, &cfg); err != nil {
		return err
	}
	delete(cfg, "admin")
	cfg["log"] = map[string]any{"requests": false}
	types, _ := cfg["types"].(map[string]any)
	for _, t := range types {
		t, _ := t.(map[string]any)
		fields, _ := t["fields"].([]map[string]any)
		kept := fields[:0]
		for _, f := range fields {
			if f["kind"] != "relationship" && f["store"] != "proxy" {
				kept = append(kept, f)
			}
		}
		if t != nil && fields != nil {
			t["fields"] = kept
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := toml.NewEncoder(f).Encode(cfg); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
