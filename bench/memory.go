package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// memoryCheck is the resident size of the real aposproxy binary after each
// of three soak runs at peak rate.
type memoryCheck struct {
	soak   time.Duration
	rps    []float64
	rssMiB []float64 // VmRSS after each run
	hwmMiB float64   // VmHWM, the peak, at the end
}

// maxRSSMiB is the target's bound on the resident size, and maxGrowth how
// much the last run may exceed the first by before it looks like a leak.
const (
	maxRSSMiB = 64
	maxGrowth = 0.10
)

// memorySoak starts the built binary on a SQLite copy of the shop and
// drives the anonymous mix at it, as fast as it answers, three times.
func (s *suite) memorySoak(ctx context.Context) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, s.bin, "-config", filepath.Join(s.root, "config.toml"), "-listen", addr)
	cmd.Env = append(os.Environ(), "SHOP_DB_DRIVER=sqlite", "SHOP_DB_DSN=file:"+filepath.Join(s.tmp, "soak.db"),
		"APOSPROXY_ADMIN_LISTEN=127.0.0.1:0") // any free port: the soak does not scrape it
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	if err := waitHTTP(addr, 30*time.Second); err != nil {
		return err
	}
	sys := system{name: "aposproxy binary", args: []string{"-target", "http://" + addr + "/api/v1"}}
	m := &memoryCheck{soak: s.soak}
	for i := range 3 {
		s.logf("memory: soak %d/3 of %s", i+1, s.soak)
		r, _, err := s.runLoad(ctx, sys, s.soak, "-types", "product,category,article", "-locales", "en,fr")
		if err != nil {
			return err
		}
		rss, _, err := procStatus(cmd.Process.Pid)
		if err != nil {
			return err
		}
		m.rps = append(m.rps, r.RPS)
		m.rssMiB = append(m.rssMiB, rss)
	}
	_, m.hwmMiB, _ = procStatus(cmd.Process.Pid)
	s.memory = m
	return nil
}

// procStatus reads a process's resident size and its peak, in MiB.
func procStatus(pid int) (rss, hwm float64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("reading the resident size (Linux only): %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			hwm = kb / 1024
		}
	}
	return rss, hwm, sc.Err()
}

// waitHTTP waits until addr accepts connections.
func waitHTTP(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not start: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// met reports whether every run stayed under maxRSSMiB and the last did
// not grow past the first by more than maxGrowth.
func (m *memoryCheck) met() bool {
	for _, r := range m.rssMiB {
		if r >= maxRSSMiB {
			return false
		}
	}
	return m.rssMiB[2] <= m.rssMiB[0]*(1+maxGrowth)
}
