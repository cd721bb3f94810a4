package app

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/aposproxy/aposproxy/auth"
	"github.com/aposproxy/aposproxy/jobs"
	"github.com/aposproxy/aposproxy/proxy"
)

// newRegistry is the process's metrics registry: Go's runtime and the
// process, the build, the requests (proxy.Metrics) and, read at each
// scrape, the serving configuration's pools and upstream clients, the
// logins and the jobs (docs/api-rules.md#221).
func newRegistry(l *live) (*prometheus.Registry, *proxy.Metrics) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
		backendCollector{l},
	)
	return reg, proxy.NewMetrics(reg)
}

// backendCollector reads the serving configuration's statistics at
// scrape time.
type backendCollector struct{ l *live }

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("aposproxy_"+name, help, labels, nil)
}

var (
	descPoolOpen     = desc("db_connections_open", "Open connections of a database pool.", "database")
	descPoolInUse    = desc("db_connections_in_use", "Connections of a database pool in use.", "database")
	descPoolIdle     = desc("db_connections_idle", "Idle connections of a database pool.", "database")
	descPoolMax      = desc("db_connections_max", "The cap on a database pool's open connections.", "database")
	descPoolWaits    = desc("db_wait_total", "Times a request waited for a pool's connection.", "database")
	descPoolWaitTime = desc("db_wait_seconds_total", "Time spent waiting for a pool's connections.", "database")
	descUpCalls      = desc("upstream_calls_total", "Calls to an upstream service.", "upstream")
	descUpFailures   = desc("upstream_failures_total", "Calls to an upstream service that got no usable answer.", "upstream")
	descUpConns      = desc("upstream_connections_open", "Open connections to an upstream service.", "upstream")
	descUpBreaker    = desc("upstream_breaker_state", "An upstream's circuit breaker: 0 closed, 1 half-open, 2 open.", "upstream")
	descLogins       = desc("login_failures_total", "Logins refused: bad credentials, or throttled.", "reason")
	descJobs         = desc("jobs_total", "Batch jobs this process started, by state: running, completed, failed.", "state")
)

// Describe implements prometheus.Collector.
func (backendCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPoolOpen, descPoolInUse, descPoolIdle, descPoolMax, descPoolWaits,
		descPoolWaitTime, descUpCalls, descUpFailures, descUpConns, descUpBreaker, descLogins, descJobs} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c backendCollector) Collect(ch chan<- prometheus.Metric) {
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	if g := c.l.cur.Load(); g != nil {
		for name, st := range g.prog.set.PoolStats() {
			ch <- prometheus.MustNewConstMetric(descPoolOpen, gauge, float64(st.OpenConnections), name)
			ch <- prometheus.MustNewConstMetric(descPoolInUse, gauge, float64(st.InUse), name)
			ch <- prometheus.MustNewConstMetric(descPoolIdle, gauge, float64(st.Idle), name)
			ch <- prometheus.MustNewConstMetric(descPoolMax, gauge, float64(st.MaxOpenConnections), name)
			ch <- prometheus.MustNewConstMetric(descPoolWaits, counter, float64(st.WaitCount), name)
			ch <- prometheus.MustNewConstMetric(descPoolWaitTime, counter, st.WaitDuration.Seconds(), name)
		}
		for _, st := range g.prog.set.UpstreamStats() {
			ch <- prometheus.MustNewConstMetric(descUpCalls, counter, float64(st.Calls), st.Name)
			ch <- prometheus.MustNewConstMetric(descUpFailures, counter, float64(st.Failures), st.Name)
			ch <- prometheus.MustNewConstMetric(descUpConns, gauge, float64(st.Conns), st.Name)
			ch <- prometheus.MustNewConstMetric(descUpBreaker, gauge, float64(st.Breaker), st.Name)
		}
	}
	failures, throttled := auth.LoginStats()
	ch <- prometheus.MustNewConstMetric(descLogins, counter, float64(failures), "credentials")
	ch <- prometheus.MustNewConstMetric(descLogins, counter, float64(throttled), "throttled")
	started, completed, failed := jobs.Stats()
	ch <- prometheus.MustNewConstMetric(descJobs, gauge, float64(started-completed-failed), "running")
	ch <- prometheus.MustNewConstMetric(descJobs, gauge, float64(completed), "completed")
	ch <- prometheus.MustNewConstMetric(descJobs, gauge, float64(failed), "failed")
}
