package proxy

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
)

// Metrics are the request metrics of the front end: a counter by type,
// route template, method and status class, and a latency histogram by
// type, route template and method (docs/api-rules.md#221). One Metrics
// serves every Server of the process (a reload builds a new Server), so
// that the counters go on across reloads.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the request metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aposproxy_http_requests_total",
			Help: "HTTP requests answered, by document type, route template, method and status class.",
		}, []string{"type", "route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aposproxy_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by document type, route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"type", "route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// routeStats are the metrics of one route template and method, resolved
// once: a request only adds to them.
type routeStats struct {
	byClass [6]prometheus.Counter // by status / 100; 0 for anything else
	latency prometheus.Observer
}

// observe counts one answer with status, which took d.
func (r *routeStats) observe(status int, d time.Duration) {
	class := status / 100
	if class < 1 || class > 5 {
		class = 0
	}
	r.byClass[class].Inc()
	r.latency.Observe(d.Seconds())
}

// routeMetrics resolves the metrics of each route and method the first
// time it is answered, and keeps them in a map that requests read
// without a lock (copied on each addition, which only happens once per
// route and method).
type routeMetrics struct {
	m      *Metrics
	prefix string
	types  map[string]*docType
	mu     sync.Mutex
	known  atomic.Pointer[map[string]map[string]*routeStats] // method → route → stats
}

// unmatched is the route label of a request no route matched (404, 501,
// preflights, refusals before routing).
const unmatched = "unmatched"

// get returns the stats of route for method.
func (rm *routeMetrics) get(method []byte, route string) *routeStats {
	meth := methodLabel(method)
	if known := rm.known.Load(); known != nil {
		if r, ok := (*known)[meth][route]; ok {
			return r
		}
	}
	return rm.add(meth, route)
}

// add resolves the stats of a route and method.
func (rm *routeMetrics) add(meth, route string) *routeStats {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	next := map[string]map[string]*routeStats{}
	if known := rm.known.Load(); known != nil {
		for m, routes := range *known {
			next[m] = routes
		}
	}
	if r, ok := next[meth][route]; ok {
		return r
	}
	routes := map[string]*routeStats{}
	for k, v := range next[meth] {
		routes[k] = v
	}
	typ := rm.typeOf(route)
	r := &routeStats{latency: rm.m.latency.WithLabelValues(typ, route, meth)}
	for i, class := range []string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"} {
		r.byClass[i] = rm.m.requests.WithLabelValues(typ, route, meth, class)
	}
	routes[route] = r
	next[meth] = routes
	rm.known.Store(&next)
	return r
}

// typeOf is the configured type a route template serves, or "".
func (rm *routeMetrics) typeOf(route string) string {
	rest, ok := strings.CutPrefix(route, rm.prefix+"/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	if _, ok := rm.types[name]; ok {
		return name
	}
	return ""
}

// methodLabel bounds the method label to the methods the API knows, and
// returns it without allocating.
func methodLabel(method []byte) string {
	for _, m := range knownMethods {
		if string(method) == m {
			return m
		}
	}
	return "OTHER"
}

var knownMethods = []string{fasthttp.MethodGet, fasthttp.MethodHead, fasthttp.MethodPost, fasthttp.MethodPut,
	fasthttp.MethodPatch, fasthttp.MethodDelete, fasthttp.MethodOptions}
