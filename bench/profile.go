package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

// profile is where the proxy's time and allocations go in one scenario,
// as `go tool pprof -top` prints it.
type profile struct {
	name, cpu, allocs string
}

// profile loads sys for five seconds with a CPU profile of this process
// running (the load generator is another process, so the profile is the
// server's alone) and heap profiles before and after, whose difference is
// the run's allocations. The raw profiles stay in bench/out/.
func (s *suite) profile(ctx context.Context, name string, sys system, args []string) error {
	slug := strings.NewReplacer(" ", "-", "/", "-").Replace(strings.ToLower(name))
	cpuPath := filepath.Join(s.out, slug+".cpu.pprof")
	heapBefore := filepath.Join(s.out, slug+".heap-before.pprof")
	heapAfter := filepath.Join(s.out, slug+".heap-after.pprof")
	if err := writeHeap(heapBefore); err != nil {
		return err
	}
	f, err := os.Create(cpuPath)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	s.logf("%s: profiling %s", name, sys.name)
	_, _, err = s.runLoad(ctx, sys, 5*time.Second, args...)
	pprof.StopCPUProfile()
	f.Close()
	if err != nil {
		return err
	}
	if err := writeHeap(heapAfter); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	p := profile{name: name}
	if p.cpu, err = pprofTop(exe, cpuPath); err != nil {
		return err
	}
	if p.allocs, err = pprofTop(exe, "-sample_index=alloc_objects", "-base", heapBefore, heapAfter); err != nil {
		return err
	}
	s.profiles = append(s.profiles, p)
	return nil
}

// writeHeap writes the allocation profile so far.
func writeHeap(path string) error {
	runtime.GC() // the profile is as of the last GC
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

// pprofTop runs `go tool pprof -top` on a profile of exe, keeping the
// twenty heaviest functions.
func pprofTop(exe string, args ...string) (string, error) {
	all := append([]string{"tool", "pprof", "-top", "-nodecount=20"}, args[:len(args)-1]...)
	all = append(all, exe, args[len(args)-1])
	out, err := exec.Command("go", all...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out)), nil
}
