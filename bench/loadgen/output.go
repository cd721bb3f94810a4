package loadgen

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Comparison is the outcome of -compare, as -json writes it.
type Comparison struct {
	A     *Report `json:"a"`
	B     *Report `json:"b"`
	Ratio Ratio   `json:"ratio"`
}

// Ratio holds B's figures divided by A's: above 1, B serves more requests
// per second, or takes longer.
type Ratio struct {
	RPS float64 `json:"rps"`
	// MedianRoundRPS is the median of the rounds' ratios, which a drift
	// of the machine's speed during the run moves less than RPS.
	MedianRoundRPS float64 `json:"median_round_rps"`
	P50            float64 `json:"p50"`
	P90            float64 `json:"p90"`
	P99            float64 `json:"p99"`
	P999           float64 `json:"p99.9"`
	Max            float64 `json:"max"`
}

// compare divides b's figures by a's.
func compare(a, b *Report) *Comparison {
	div := func(x, y float64) float64 {
		if y == 0 {
			return 0
		}
		return x / y
	}
	var rounds []float64
	for i := range min(len(a.Rounds), len(b.Rounds)) {
		rounds = append(rounds, div(b.Rounds[i], a.Rounds[i]))
	}
	la, lb := a.Latency, b.Latency
	return &Comparison{A: a, B: b, Ratio: Ratio{
		RPS: div(b.RPS, a.RPS), MedianRoundRPS: Median(rounds),
		P50: div(lb.P50, la.P50), P90: div(lb.P90, la.P90), P99: div(lb.P99, la.P99),
		P999: div(lb.P999, la.P999), Max: div(lb.Max, la.Max),
	}}
}

// writeText prints a report for a person.
func writeText(w io.Writer, r *Report) {
	how := fmt.Sprintf("closed loop, %d connections", r.Connections)
	if r.Mode == "open" {
		how = fmt.Sprintf("open model, %d requests/s", r.Rate)
	}
	fmt.Fprintf(w, "target   %s (%s, %.1fs, mix %s)\n", r.Target, how, r.Seconds, r.Mix)
	fmt.Fprintf(w, "requests %d: %.1f/s, %.2f%% answered 2xx or 3xx\n", r.Requests, r.RPS, 100*r.Success)
	fmt.Fprintf(w, "status   %s\n", statusLine(r.Status))
	l := r.Latency
	fmt.Fprintf(w, "latency  mean %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
		msText(l.Mean), msText(l.P50), msText(l.P90), msText(l.P99), msText(l.P999), msText(l.Max))
	for _, e := range r.Errors[:min(len(r.Errors), 5)] {
		fmt.Fprintf(w, "error    %s\n", e)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\nscenario\trequests\treq/s\tp50\tp90\tp99\tp99.9\tmax\tnot 2xx/3xx\t")
	for _, name := range scenarioNames {
		s := r.Scenarios[name]
		if s == nil {
			continue
		}
		l := s.Latency
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%s\t%d\t\n", name, s.Requests, s.RPS,
			msText(l.P50), msText(l.P90), msText(l.P99), msText(l.P999), msText(l.Max), failures(s))
	}
	tw.Flush()
	if c := r.Cleanup; c != nil {
		fmt.Fprintf(w, "cleanup  deleted the %d documents the run had left", c.Deleted)
		if len(c.Failed) > 0 {
			fmt.Fprintf(w, "; could not delete %d: %s", len(c.Failed), strings.Join(c.Failed, "; "))
		}
		fmt.Fprintln(w)
	}
}

// writeComparison prints both reports and the ratios of B to A.
func writeComparison(w io.Writer, c *Comparison) {
	fmt.Fprintln(w, "A:")
	writeText(w, c.A)
	fmt.Fprintln(w, "\nB:")
	writeText(w, c.B)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\n\tA\tB\tB/A\t")
	fmt.Fprintf(tw, "req/s\t%.1f\t%.1f\t%.3f\t\n", c.A.RPS, c.B.RPS, c.Ratio.RPS)
	fmt.Fprintf(tw, "req/s, median of rounds\t%.1f\t%.1f\t%.3f\t\n", Median(c.A.Rounds), Median(c.B.Rounds), c.Ratio.MedianRoundRPS)
	la, lb := c.A.Latency, c.B.Latency
	for _, row := range []struct {
		name   string
		a, b   float64
		factor float64
	}{
		{"p50", la.P50, lb.P50, c.Ratio.P50}, {"p90", la.P90, lb.P90, c.Ratio.P90},
		{"p99", la.P99, lb.P99, c.Ratio.P99}, {"p99.9", la.P999, lb.P999, c.Ratio.P999},
		{"max", la.Max, lb.Max, c.Ratio.Max},
	} {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t\n", row.name, msText(row.a), msText(row.b), row.factor)
	}
	tw.Flush()
}

// statusLine lists the answers by status: "200: 9812  404: 3".
func statusLine(s map[string]int) string {
	var parts []string
	for _, k := range statusKeys(s) {
		name := k
		if k == "0" {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, s[k]))
	}
	return strings.Join(parts, "  ")
}

// failures counts the requests without a 2xx or 3xx answer.
func failures(s *Stats) int {
	n := 0
	for k, v := range s.Status {
		if k == "" || k[0] < '2' || k[0] > '3' || len(k) != 3 {
			n += v
		}
	}
	return n
}

// msText formats milliseconds with a precision that suits their size.
func msText(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0fms", v)
	case v >= 10:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}
