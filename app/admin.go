package app

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/config"
)

// admin serves the operator's routes (docs/api-rules.md#220): /healthz
// (the process answers), /readyz (every backend of the serving
// configuration answers; cached for admin.ready_cache) and /metrics.
type admin struct {
	live    *live
	cache   time.Duration
	timeout time.Duration
	metrics fasthttp.RequestHandler // nil: not served

	mu     sync.Mutex
	at     time.Time
	of     *generation
	status int
	body   []byte
}

func newAdmin(l *live, cfg *config.Config, reg *prometheus.Registry) *admin {
	a := &admin{live: l, cache: cfg.Admin.ReadyCache.Duration, timeout: cfg.Admin.ReadyTimeout.Duration}
	if reg != nil {
		a.metrics = fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	}
	return a
}

// route answers the operator's routes; false when path is none of them.
// withMetrics says whether /metrics is served on this listener.
func (a *admin) route(ctx *fasthttp.RequestCtx, withMetrics bool) bool {
	switch string(ctx.Path()) {
	case "/healthz":
		a.answer(ctx, fasthttp.StatusOK, []byte(`{"status":"ok"}`))
	case "/readyz":
		status, body := a.ready()
		a.answer(ctx, status, body)
	case "/metrics":
		if !withMetrics || a.metrics == nil {
			return false
		}
		a.metrics(ctx)
	default:
		return false
	}
	return true
}

func (a *admin) answer(ctx *fasthttp.RequestCtx, status int, body []byte) {
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	ctx.SetContentType("application/json; charset=utf-8")
	ctx.SetStatusCode(status)
	ctx.SetBody(body)
}

// ready checks the serving configuration's backends, at most once per
// cache period: 200 when all answer, else 503 naming the failing ones by
// their config key. The answer never carries the failure itself (it may
// quote a DSN); the log does, redacted.
func (a *admin) ready() (int, []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	g := a.live.cur.Load()
	if g == a.of && time.Since(a.at) < a.cache {
		return a.status, a.body
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	checks := g.prog.set.Ready(ctx)
	a.status, a.body = readyAnswer(checks)
	for _, c := range checks {
		if c.Err != nil {
			g.prog.log.Warn("not ready", "backend", c.Backend, "err", c.Err)
		}
	}
	a.at, a.of = time.Now(), g
	return a.status, a.body
}

// readyAnswer is /readyz's status and body for checks.
func readyAnswer(checks []backends.Readiness) (int, []byte) {
	out := struct {
		Status  string            `json:"status"`
		Checks  map[string]string `json:"checks"`
		Failing []string          `json:"failing"`
	}{Status: "ready", Checks: map[string]string{}, Failing: []string{}}
	status := fasthttp.StatusOK
	for _, c := range checks {
		out.Checks[c.Backend] = "ok"
		if c.Err != nil {
			out.Checks[c.Backend] = "failing"
			out.Failing = append(out.Failing, c.Backend)
			out.Status, status = "unready", fasthttp.StatusServiceUnavailable
		}
	}
	b, _ := json.Marshal(out) // strings and a map of strings: cannot fail
	return status, b
}
