package config

import (
	"net"
	"strings"
)

// validateOps checks [admin], [log] and [server]'s production keys.
func (c *Config) validateOps(errs *errorList) {
	a := &c.Admin
	if a.Listen != "" {
		if _, _, err := net.SplitHostPort(a.Listen); err != nil {
			errs.addf("admin.listen", "must be host:port, such as 127.0.0.1:9090")
		} else if a.Listen == c.Server.Listen {
			errs.addf("admin.listen", "must differ from server.listen")
		}
	}
	mustBeOneOf(errs, "admin.metrics", a.Metrics, metricsPlaces)
	if a.Metrics == "admin" && a.Listen == "" {
		errs.addf("admin.metrics", `"admin" needs admin.listen; write "main" to serve /metrics on the main listener`)
	}
	mustBeOneOf(errs, "log.format", c.Log.Format, logFormats)
	mustBeOneOf(errs, "log.level", c.Log.Level, logLevels)
	if strings.HasPrefix(c.Server.Prefix+"/", "/healthz/") || strings.HasPrefix(c.Server.Prefix+"/", "/readyz/") ||
		strings.HasPrefix(c.Server.Prefix+"/", "/metrics/") {
		errs.addf("server.prefix", "must not be /healthz, /readyz or /metrics, which the proxy serves")
	}
}

// mustBeOneOf records a mistake at key when v is not one of allowed.
func mustBeOneOf(errs *errorList, key, v string, allowed []string) {
	if !isOneOf(v, allowed) {
		errs.addf(key, "must be one of %s", oneOf(allowed))
	}
}
