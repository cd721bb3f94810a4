package loadgen

import (
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

// Report is the outcome of a run against one target, as -json writes it.
type Report struct {
	Target string `json:"target"`
	// Mode is "closed" (Connections as fast as the target answers) or
	// "open" (Rate requests per second whatever the answers take).
	Mode        string  `json:"mode"`
	Connections int     `json:"connections,omitempty"`
	Rate        int     `json:"rate,omitempty"`
	Mix         string  `json:"mix"`
	Seconds     float64 `json:"seconds"`
	Stats
	// Rounds holds the requests per second of each round.
	Rounds    []float64         `json:"rounds_rps"`
	Scenarios map[string]*Stats `json:"scenarios"`
	Cleanup   *Cleanup          `json:"cleanup,omitempty"`
	// Schedule is the open model's check of itself (open.go); nil for
	// the closed loop.
	Schedule *Schedule `json:"schedule,omitempty"`
}

// Stats measure a set of requests.
type Stats struct {
	Requests uint64  `json:"requests"`
	RPS      float64 `json:"rps"`
	// Success is the share of 2xx and 3xx answers.
	Success float64 `json:"success"`
	// Status counts answers by status; "0" counts requests that got none.
	Status  map[string]int `json:"status"`
	Errors  []string       `json:"errors,omitempty"`
	Latency Latency        `json:"latency_ms"`
}

// Latency holds latencies in milliseconds.
type Latency struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99.9"`
	Max  float64 `json:"max"`
}

// result is the outcome of one request.
type result struct {
	method, url string
	// code is the answer's status; 0 when there was none, or when a read's
	// body failed the check (hit).
	code uint16
	err  string // "" for a 2xx or 3xx answer
	// latency runs from the time the request was due: its time in the
	// open model's schedule, or the moment it was sent in the closed loop.
	latency time.Duration
	body    []byte // a POST's answer, for the write cycles
}

// maxErrors bounds the distinct error texts a report keeps.
const maxErrors = 100

// metrics sum up results: counts by status, distinct errors and a
// histogram of latencies. add is called from one goroutine.
type metrics struct {
	latencies         histogram
	requests, success uint64
	status            map[string]int
	errors            []string
	seen              map[string]bool
}

// add counts one result.
func (m *metrics) add(r *result) {
	if m.status == nil {
		m.status, m.seen = map[string]int{}, map[string]bool{}
	}
	m.requests++
	m.latencies.record(r.latency)
	m.status[strconv.Itoa(int(r.code))]++
	if r.code >= 200 && r.code < 400 {
		m.success++
	}
	if r.err != "" && !m.seen[r.err] && len(m.errors) < maxErrors {
		m.seen[r.err] = true
		m.errors = append(m.errors, r.err)
	}
}

// collector gathers the results of a target's runs, overall and by
// scenario. add is called from one goroutine; the counters are read by
// the progress line.
type collector struct {
	p   *plan
	all metrics
	by  [numScenarios]*metrics
	// pacing is the open model's self-check.
	pacing pacing
	// done and failed count results for the progress line.
	done, failed atomic.Int64
	seconds      float64
	rounds       []float64
}

// add records one result.
func (c *collector) add(res *result) {
	c.p.observe(res)
	sc := c.p.scenarioOf(res.method, res.url)
	if c.by[sc] == nil {
		c.by[sc] = &metrics{}
	}
	c.by[sc].add(res)
	c.all.add(res)
	c.done.Add(1)
	if res.err != "" {
		c.failed.Add(1)
	}
}

// round records that a round of d ended, started when done was before.
func (c *collector) round(before int64, d time.Duration) {
	c.seconds += d.Seconds()
	c.rounds = append(c.rounds, float64(c.done.Load()-before)/d.Seconds())
}

// report summarizes everything collected.
func (c *collector) report(o *options, target string) *Report {
	r := &Report{Target: target, Mode: "closed", Connections: o.conns, Mix: o.mix.String(),
		Seconds: c.seconds, Rounds: c.rounds, Scenarios: map[string]*Stats{}}
	if o.rate > 0 {
		r.Mode, r.Rate = "open", o.rate
		r.Schedule = c.pacing.schedule(o.maxConns)
	}
	if o.targetsFile != "" {
		r.Mix = "targets=1"
	}
	r.Stats = stats(&c.all, c.seconds)
	for sc, m := range c.by {
		if m != nil {
			r.Scenarios[scenario(sc).String()] = ptr(stats(m, c.seconds))
		}
	}
	return r
}

func ptr[T any](v T) *T { return &v }

// stats computes the Stats of m over seconds of running.
func stats(m *metrics, seconds float64) Stats {
	s := Stats{Requests: m.requests, Status: m.status, Errors: m.errors}
	if s.Status == nil {
		s.Status = map[string]int{}
	}
	if seconds > 0 {
		s.RPS = float64(m.requests) / seconds
	}
	if m.requests > 0 {
		l := &m.latencies
		s.Success = float64(m.success) / float64(m.requests)
		s.Latency = Latency{Mean: ms(l.mean()), P50: ms(l.quantile(0.5)), P90: ms(l.quantile(0.9)), P99: ms(l.quantile(0.99)),
			P999: ms(l.quantile(0.999)), Max: ms(l.max())}
	}
	return s
}

// ms converts d to milliseconds, rounded to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Median returns the median of xs (0 for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// statusKeys lists the statuses of s in numeric order.
func statusKeys(s map[string]int) []string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, _ := strconv.Atoi(keys[i])
		b, _ := strconv.Atoi(keys[j])
		return a < b
	})
	return keys
}
