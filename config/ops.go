package config

// Admin configures the operator's side of the proxy: health, readiness
// and metrics, on the main listener and on an optional admin listener
// that only operators reach (docs/config.md#running-it-in-production).
type Admin struct {
	// Listen is the admin listener's address (such as 127.0.0.1:9090), on
	// which /healthz, /readyz and /metrics are served; empty: none.
	Listen string `toml:"listen"`
	// Metrics says where /metrics is served: "admin" (the admin listener,
	// the default when there is one), "main" (the main listener, outside
	// the API prefix) or "off" (the default without an admin listener).
	Metrics string `toml:"metrics"`
	// ReadyCache is how long an answer of /readyz is reused, so that a
	// busy probe does not ping every backend each time. Default 1s.
	ReadyCache Duration `toml:"ready_cache"`
	// ReadyTimeout bounds the checks of one /readyz. Default 2s.
	ReadyTimeout Duration `toml:"ready_timeout"`
}

// Log configures the program's log, which goes to stderr.
type Log struct {
	// Format is "text" (the default) or "json".
	Format string `toml:"format"`
	// Level is "debug", "info" (the default), "warn" or "error".
	Level string `toml:"level"`
	// Requests writes one line per request (at level info). Default true.
	Requests *bool `toml:"requests"`
}

// The values of [admin] metrics and [log].
var (
	metricsPlaces = []string{"admin", "main", "off"}
	logFormats    = []string{"text", "json"}
	logLevels     = []string{"debug", "info", "warn", "error"}
)
