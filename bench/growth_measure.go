package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// growthMinRequests is the fewest requests a measurement times, unless
// they take more than two rounds.
const growthMinRequests = 3

// measure sends path to the proxy one request at a time, for a round,
// checking every answer (a 200 whose body is one JSON object). The first
// request, after the data grew, is timed apart (it may do one-off work,
// such as giving slugs to new records); the statements of the second are
// the request's, recorded for their plans.
func (r *growthRun) measure(ctx context.Context, path string, x int64) (growthPoint, []statement, error) {
	return r.measureOn(ctx, r.proxy, path, x)
}

// measureOn measures path on srv (whose statements are only counted when
// it is the run's proxy).
func (r *growthRun) measureOn(ctx context.Context, srv *server, path string, x int64) (growthPoint, []statement, error) {
	p := growthPoint{x: x}
	t0 := time.Now()
	status, body, err := r.get(srv.url + path)
	p.first = float64(time.Since(t0)) / float64(time.Millisecond)
	if err != nil {
		return p, nil, err
	}
	if !answerOK(status, body) {
		return p, nil, fmt.Errorf("GET %s: %d %.300s", path, status, body)
	}
	var stmts []statement
	var times []float64
	start := time.Now()
	for enough(times, start, r.round) {
		if err := ctx.Err(); err != nil {
			return p, nil, err
		}
		var before int64
		if len(times) == 0 {
			before = r.rec.start()
		}
		t0 := time.Now()
		status, body, err := r.get(srv.url + path)
		times = append(times, float64(time.Since(t0))/float64(time.Millisecond))
		if len(times) == 1 {
			stmts = r.rec.stop()
			p.queries = r.rec.n.Load() - before
		}
		if err != nil || !answerOK(status, body) {
			p.failures++
		}
	}
	p.n = len(times)
	p.ms, p.p90 = quantile(times, 0.5), quantile(times, 0.9)
	fmt.Fprintf(os.Stderr, "bench: growth %s %s: %.2f ms (p90 %.2f, first %.2f), %d statements, %d requests\n", r.engine, path, p.ms, p.p90, p.first, p.queries, p.n)
	return p, stmts, nil
}

// enough says whether to time another request: for a round, and until
// there are growthMinRequests unless two rounds have passed (a request
// of many seconds is timed once).
func enough(times []float64, start time.Time, round time.Duration) bool {
	d := time.Since(start)
	return d < round || len(times) < growthMinRequests && d < 2*round
}

func (r *growthRun) get(url string) (int, []byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(url)
	if err := r.client.DoTimeout(req, resp, 10*time.Minute); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...), nil
}

// answerOK: a 200 with one JSON object.
func answerOK(status int, body []byte) bool {
	return status == 200 && len(body) > 1 && body[0] == '{' && body[len(body)-1] == '}'
}

// quantile of the values (sorted in place), nearest rank.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	i := int(q*float64(len(v))+0.5) - 1
	return v[min(max(i, 0), len(v)-1)]
}

// measureSQL times one statement alone over the run's own pool, reading
// every row, for a round.
func (r *growthRun) measureSQL(ctx context.Context, st statement) (growthPoint, error) {
	var p growthPoint
	var times []float64
	start := time.Now()
	for enough(times, start, r.round) {
		t0 := time.Now()
		rows, err := r.db.QueryContext(ctx, st.query, st.args...)
		if err != nil {
			return p, fmt.Errorf("%w\n%s", err, st.query)
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return p, err
		}
		times = append(times, float64(time.Since(t0))/float64(time.Millisecond))
	}
	p.n, p.queries = len(times), 1
	p.ms, p.p90 = quantile(times, 0.5), quantile(times, 0.9)
	return p, nil
}

// explain asks the engine for the plan of each distinct reading statement.
func (r *growthRun) explain(ctx context.Context, stmts []statement) []plan {
	var plans []plan
	seen := map[string]bool{}
	for _, st := range stmts {
		if !st.isRead() || seen[st.query] {
			continue
		}
		seen[st.query] = true
		plans = append(plans, plan{query: shorten(st.query), text: r.planOf(ctx, st)})
	}
	return plans
}

// maxPlanLine is the longest line of a plan the report keeps.
const maxPlanLine = 300

// planOf is EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (PostgreSQL) of st,
// with its arguments, one line per step.
func (r *growthRun) planOf(ctx context.Context, st statement) string {
	prefix := "EXPLAIN QUERY PLAN "
	if r.engine == "postgres" {
		prefix = "EXPLAIN "
	}
	rows, err := r.db.QueryContext(ctx, prefix+st.query, st.args...)
	if err != nil {
		return "(no plan: " + err.Error() + ")"
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	depth := map[int64]int{}
	for rows.Next() {
		if len(cols) == 4 { // SQLite: id, parent, notused, detail
			var id, parent, unused int64
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return "(no plan: " + err.Error() + ")"
			}
			depth[id] = depth[parent] + 1
			fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", depth[id]-1), detail)
			continue
		}
		var line string
		if err := rows.Scan(&line); err != nil {
			return "(no plan: " + err.Error() + ")"
		}
		if len(line) > maxPlanLine { // a filter that lists every id of an IN list
			line = line[:maxPlanLine] + " …"
		}
		b.WriteString(line + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// params matches a run of more than four parameters of an IN list.
var params = regexp.MustCompile(`(?:(?:\?|\$\d+), ){4,}(?:\?|\$\d+)`)

// shorten abbreviates the long IN lists of a statement for the report.
func shorten(q string) string {
	return params.ReplaceAllStringFunc(q, func(m string) string {
		return fmt.Sprintf("?, … (%d parameters)", strings.Count(m, ",")+1)
	})
}
