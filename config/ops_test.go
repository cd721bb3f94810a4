package config

import (
	"strings"
	"testing"
	"time"
)

// TestOpsDefaults: metrics go to the admin listener when there is one and
// are off otherwise; request logs are on.
func TestOpsDefaults(t *testing.T) {
	cfg, err := parseEnv(minimal, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := cfg.Admin; a.Metrics != "off" || a.ReadyCache.Duration != time.Second || a.ReadyTimeout.Duration != 2*time.Second {
		t.Errorf("admin = %+v", a)
	}
	if l := cfg.Log; l.Format != "text" || l.Level != "info" || !*l.Requests {
		t.Errorf("log = %+v", l)
	}
	cfg, err = parseEnv("[admin]\nlisten = \"127.0.0.1:9090\"\n[log]\nformat = \"json\"\nrequests = false\n"+minimal, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Admin.Metrics != "admin" || cfg.Log.Format != "json" || *cfg.Log.Requests {
		t.Errorf("admin = %+v, log = %+v", cfg.Admin, cfg.Log)
	}
}

// TestOpsMistakes: each mistake in [admin], [log] and [compression] names
// its key and line.
func TestOpsMistakes(t *testing.T) {
	for _, tt := range []struct{ src, path, msg string }{
		{"[admin]\nlisten = \"9090\"\n", "admin.listen", "host:port"},
		{"[admin]\nlisten = \"127.0.0.1:3000\"\n", "admin.listen", "must differ from server.listen"},
		{"[admin]\nmetrics = \"admin\"\n", "admin.metrics", "needs admin.listen"},
		{"[admin]\nmetrics = \"yes\"\n", "admin.metrics", `must be one of admin, main, off`},
		{"[log]\nformat = \"xml\"\n", "log.format", "must be one of text, json"},
		{"[log]\nlevel = \"loud\"\n", "log.level", "must be one of debug"},
		{"[server]\nprefix = \"/metrics\"\n", "server.prefix", "must not be /healthz"},
		{"[admin]\nlisen = \"127.0.0.1:9090\"\n", "admin.lisen", ""},
	} {
		src := tt.src + minimal
		_, err := parseEnv(src, nil)
		if err == nil {
			t.Errorf("%s: no error", tt.src)
			continue
		}
		line := 1 + strings.Count(tt.src[:strings.LastIndex(strings.TrimSuffix(tt.src, "\n"), "\n")+1], "\n")
		wantError(t, err, tt.path, line, tt.msg)
	}
}
