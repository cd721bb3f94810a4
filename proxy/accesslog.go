package proxy

import (
	"context"
	"log/slog"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

// callerKey is the user value under which the pipeline leaves the
// request's caller, for the request log.
type callerKey struct{}

// noteCaller leaves the caller of c for the request log and the metrics.
func noteCaller(c *call) {
	c.ctx.SetUserValue(callerKey{}, c.who)
}

// observed wraps the front door h with the request metrics and the
// request log (docs/api-rules.md#221, #222): each answer is counted and
// timed by its route template, and logged as one line.
func (s *Server) observed(h fasthttp.RequestHandler) fasthttp.RequestHandler {
	if s.routeStats == nil && s.access == nil {
		return h
	}
	return func(ctx *fasthttp.RequestCtx) {
		start := time.Now()
		h(ctx)
		end := time.Now()
		d := end.Sub(start)
		route := routeOf(ctx)
		if s.routeStats != nil {
			s.routeStats.get(ctx.Method(), route).observe(ctx.Response.StatusCode(), d)
		}
		if s.access != nil {
			s.logRequest(ctx, route, end, d)
		}
	}
}

// logRequest writes the request's line: its id, method, route template,
// path (never the query, which may carry an API key), status, duration,
// bytes sent and who called (never a credential). The line goes straight
// to the logger's handler, as Logger.LogAttrs would send it but without
// the caller's program counter, which nothing prints and which cost a
// tenth of the line (runtime.Callers).
func (s *Server) logRequest(ctx *fasthttp.RequestCtx, route string, at time.Time, d time.Duration) {
	h := s.access.Handler()
	if !h.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	who, _ := ctx.UserValue(callerKey{}).(*apos.Principal)
	r := slog.NewRecord(at, slog.LevelInfo, "request", 0)
	r.AddAttrs(
		slog.String("request_id", string(ctx.Response.Header.PeekBytes(headerRequestID))),
		slog.String("method", methodLabel(ctx.Method())),
		slog.String("route", route),
		slog.String("path", string(ctx.Path())),
		slog.Int("status", ctx.Response.StatusCode()),
		slog.Duration("duration", d),
		slog.Int("bytes", len(ctx.Response.Body())),
		slog.String("caller", s.callerLabel(who)),
	)
	_ = h.Handle(context.Background(), r) // a log never fails a request
}

// callerLabel tells who called without a credential: anonymous, the API
// key's name, or the user's id.
func (s *Server) callerLabel(who *apos.Principal) string {
	switch {
	case who == nil || !who.Authenticated():
		return "anonymous"
	case who.Via == "apikey":
		return s.keyNames[who]
	default:
		return "user:" + who.ID
	}
}

// observe sets up the request metrics and log that opts asks for.
func (s *Server) observe(opts Options, keys *apiKeys) {
	s.access, s.keyNames = opts.AccessLog, keys.names
	// The routes added from now on leave their template for observed.
	s.router.tagged = opts.AccessLog != nil || opts.Metrics != nil
	if opts.Metrics != nil {
		s.routeStats = &routeMetrics{m: opts.Metrics, prefix: s.cfg.Server.Prefix, types: s.types}
	}
}
