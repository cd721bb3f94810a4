package loadgen

import (
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
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

// collector gathers the results of a target's runs, overall and by
// scenario. add is called from one goroutine; the counters are read by
// the progress line.
type collector struct {
	p   *plan
	all vegeta.Metrics
	by  [numScenarios]*vegeta.Metrics
	// done and failed count results for the progress line.
	done, failed atomic.Int64
	seconds      float64
	rounds       []float64
}

// add records one result.
func (c *collector) add(res *vegeta.Result) {
	c.p.observe(res)
	sc := c.p.scenarioOf(res.Method, res.URL)
	if c.by[sc] == nil {
		c.by[sc] = &vegeta.Metrics{}
	}
	c.by[sc].Add(res)
	c.all.Add(res)
	c.done.Add(1)
	if res.Error != "" {
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
func stats(m *vegeta.Metrics, seconds float64) Stats {
	m.Close()
	s := Stats{Requests: m.Requests, Success: m.Success, Status: m.StatusCodes, Errors: m.Errors}
	if s.Status == nil {
		s.Status = map[string]int{}
	}
	if seconds > 0 {
		s.RPS = float64(m.Requests) / seconds
	}
	if m.Requests > 0 {
		l := &m.Latencies
		s.Latency = Latency{Mean: ms(l.Mean), P50: ms(l.P50), P90: ms(l.P90), P99: ms(l.P99),
			P999: ms(l.Quantile(0.999)), Max: ms(l.Max)}
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
