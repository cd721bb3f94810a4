package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// overloadPath is the read the overload test drives: one published
// product, served from the database on every request.
const overloadPath = "/product/P-1004:en:published"

// Bounds of the overload test.
const (
	maxRefusalP99   = 100 * time.Millisecond // the 503s' 99th percentile latency (20 ms measured; the load generator shares the cores)
	maxResidentMiB  = 128                    // VmRSS and VmHWM of the binary
	maxErrorShare   = 0.01                   // connection errors, of all requests
	descriptorSlack = 8                      // open descriptors over the baseline after the load
	loadConns       = 128                    // the open model's connections and workers
)

// TestOverload drives the binary at twice the rate it can serve, as an
// open model (a constant rate, whatever the answers take): the front door
// must refuse what it cannot serve with a fast 503 instead of queueing,
// memory must stay bounded, and connections must be given back after the
// load. The figure is for 30 s of load; `go test` runs 10 s unless
// APOSPROXY_OVERLOAD_SECONDS says otherwise.
func TestOverload(t *testing.T) {
	if testing.Short() {
		t.Skip("overload test in -short mode")
	}
	seconds := 10
	if v := os.Getenv("APOSPROXY_OVERLOAD_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("APOSPROXY_OVERLOAD_SECONDS=%q: want a positive number of seconds", v)
		}
		seconds = n
	}
	// A low in-flight cap makes refusal certain at twice the peak, on a
	// machine of any size.
	config := testkit.WriteConfig(t, strings.Replace(testkit.ShopConfig(t),
		`request_timeout = "5s"`, "request_timeout = \"5s\"\nmax_in_flight = 8", 1), nil)
	s := startShopWith(t, testkit.SQLite, binary, config)
	expect(t, s.do(t, "GET", overloadPath, "", ""), 200)

	peak := closedLoopPeak(t, s.base+overloadPath, 32, 2*time.Second)
	baseFDs := openFDs(t, s.pid)
	rate := 2 * peak

	// The client keeps to loadConns connections and workers, well under
	// server.max_conns: what is measured is the in-flight cap, not
	// fasthttp's connection cap, and the client's own goroutines do not
	// crowd the proxy out of the machine's cores.
	tr := &http.Transport{MaxConnsPerHost: loadConns, MaxIdleConnsPerHost: loadConns, IdleConnTimeout: 30 * time.Second}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	watch := watchMemory(t, s.pid)
	res := attack(s.base+overloadPath, rate, time.Duration(seconds)*time.Second, client)
	maxRSS := watch()
	tr.CloseIdleConnections()

	_, hwm := residentMiB(t, s.pid)
	t.Logf("overload: peak %.0f req/s (closed loop, 32 connections, 2 s); offered %.0f req/s for %d s", peak, rate, seconds)
	t.Logf("overload: sent %.0f req/s (at most %d at once)", float64(res.total)/float64(seconds), loadConns)
	t.Logf("overload: %d requests, %d answered 200, %d answered 503 (p99 %v, max %v), %d errors; VmRSS max %.1f MiB, VmHWM %.1f MiB",
		res.total, res.ok, len(res.refusals), res.p99(), res.max(), res.errors, maxRSS, hwm)
	for status, n := range res.other {
		t.Errorf("%d answers with status %d; want only 200 and 503 (e.g. %s)", n, status, res.otherSample[status])
	}
	if len(res.refusals) == 0 {
		t.Errorf("no 503 at twice the peak rate: the in-flight cap never refused")
	}
	if p99 := res.p99(); p99 > maxRefusalP99 {
		t.Errorf("503s' p99 latency %v, want under %v", p99, maxRefusalP99)
	}
	if float64(res.errors) > maxErrorShare*float64(res.total) {
		t.Errorf("%d connection errors of %d requests (over %.0f%%); first: %s", res.errors, res.total, 100*maxErrorShare, res.firstError)
	}
	if maxRSS > maxResidentMiB || hwm > maxResidentMiB {
		t.Errorf("resident memory VmRSS %.1f MiB, VmHWM %.1f MiB; want under %d MiB", maxRSS, hwm, maxResidentMiB)
	}
	settled := waitFor(5*time.Second, func() bool { return openFDs(t, s.pid) <= baseFDs+descriptorSlack })
	if !settled {
		t.Errorf("open descriptors %d after the load, baseline %d (slack %d)", openFDs(t, s.pid), baseFDs, descriptorSlack)
	}
	expect(t, s.do(t, "GET", overloadPath, "", ""), 200)
}

// closedLoopPeak is the rate at which conns clients, each sending its next
// request as soon as the last is answered, are served 200s for d.
func closedLoopPeak(t *testing.T, url string, conns int, d time.Duration) float64 {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var served atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				resp, err := client.Get(url)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					served.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if served.Load() == 0 {
		t.Fatal("no request served while measuring the peak")
	}
	return float64(served.Load()) / d.Seconds()
}

// loadResult is what an open-model attack got back.
type loadResult struct {
	total, ok, errors int
	refusals          []time.Duration // latencies of the 503s, sorted
	other             map[int]int     // counts of any other status
	otherSample       map[int]string  // one body of each other status
	firstError        string
}

func (r *loadResult) p99() time.Duration { return percentile(r.refusals, 0.99) }

func (r *loadResult) max() time.Duration { return percentile(r.refusals, 1) }

// attack sends GET url at rate per second for d, as vegeta's open model.
func attack(url string, rate float64, d time.Duration, client *http.Client) *loadResult {
	targeter := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: url})
	attacker := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(loadConns), vegeta.MaxWorkers(loadConns))
	pacer := vegeta.ConstantPacer{Freq: int(rate), Per: time.Second}
	res := &loadResult{other: map[int]int{}, otherSample: map[int]string{}}
	for r := range attacker.Attack(targeter, pacer, d, "overload") {
		res.total++
		switch {
		case r.Error != "" && r.Code == 0:
			res.errors++
			if res.firstError == "" {
				res.firstError = r.Error
			}
		case r.Code == 200:
			res.ok++
		case r.Code == 503:
			res.refusals = append(res.refusals, r.Latency)
		default:
			res.other[int(r.Code)]++
			res.otherSample[int(r.Code)] = string(r.Body)
		}
	}
	sort.Slice(res.refusals, func(i, j int) bool { return res.refusals[i] < res.refusals[j] })
	return res
}

// percentile is the q-quantile of sorted latencies, 0 for none.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// watchMemory samples pid's VmRSS until the returned function is called,
// which answers the largest sample in MiB.
func watchMemory(t *testing.T, pid int) func() float64 {
	t.Helper()
	stop := make(chan struct{})
	done := make(chan float64)
	go func() {
		var top float64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss, _, err := procMemory(pid); err == nil {
				top = max(top, rss)
			}
			select {
			case <-stop:
				done <- top
				return
			case <-tick.C:
			}
		}
	}()
	return func() float64 { close(stop); return <-done }
}

// residentMiB is pid's VmRSS and VmHWM in MiB.
func residentMiB(t *testing.T, pid int) (rss, hwm float64) {
	t.Helper()
	rss, hwm, err := procMemory(pid)
	if err != nil {
		t.Fatal(err)
	}
	return rss, hwm
}

// procMemory reads VmRSS and VmHWM, in MiB, from /proc/<pid>/status.
func procMemory(pid int) (rss, hwm float64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kib, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %q: %w", name, value, err)
		}
		if name == "VmRSS" {
			rss = kib / 1024
		} else {
			hwm = kib / 1024
		}
	}
	return rss, hwm, sc.Err()
}

// openFDs counts pid's open file descriptors.
func openFDs(t *testing.T, pid int) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// waitFor polls ok until it holds or d has passed, and says which.
func waitFor(d time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if ok() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
