package main

import (
	"os"
	"strconv"
	"strings"
)

// clockTicks is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on
// Linux on every architecture Go supports).
const clockTicks = 100

// cpuSplit is the CPU time that process pid and its live children
// (nginx's workers) have used so far, from /proc, in user space and in the
// kernel (system calls: on loopback, a write also runs the receiving side
// of TCP); 0 where /proc cannot tell. On two shared cores, CPU time per
// request is the honest measure of what a server costs: throughput also
// depends on what the load generator leaves it.
func cpuSplit(pid int) (user, sys float64) {
	u, s := procTicks(pid)
	for _, child := range procChildren(pid) {
		cu, cs := procTicks(child)
		u, s = u+cu, s+cs
	}
	return float64(u) / clockTicks, float64(s) / clockTicks
}

// procTicks is utime and stime of pid.
func procTicks(pid int) (user, sys int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, 0
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, 0
	}
	user, _ = strconv.ParseInt(f[11], 10, 64)
	sys, _ = strconv.ParseInt(f[12], 10, 64)
	return user, sys
}

// procChildren lists the children of pid's main thread.
func procChildren(pid int) []int {
	p := strconv.Itoa(pid)
	b, err := os.ReadFile("/proc/" + p + "/task/" + p + "/children")
	if err != nil {
		return nil
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}
