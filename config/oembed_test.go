package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// validOEmbed is an [oembed] section with every key; each case of
// TestValidateOEmbed breaks it in one place.
const validOEmbed = `[oembed]
allowlist = ["video.example"]
private_hosts = ["localhost", "127.0.0.1"]
cache_lifetime = "10m"
timeout = "3s"
connect_timeout = "1s"
max_body_bytes = 4096
max_redirects = 2
max_fetches = 4
max_cache_entries = 10
role = "guest"
referer = "https://shop.example"

[[oembed.endpoints]]
domain = "video.example"
endpoint = "https://video.example/oembed"
`

func TestValidateOEmbed(t *testing.T) {
	tests := []struct {
		name, old, new, path, msg string
	}{
		{"allowlist entry with a scheme", `allowlist = ["video.example"]`, `allowlist = ["https://video.example"]`, "oembed.allowlist[0]", "must be a domain name"},
		{"minimum allowlist entry with a path", `allowlist = ["video.example"]`, `minimum_allowlist = ["video.example/a"]`, "oembed.minimum_allowlist[0]", "must be a domain name"},
		{"private host with a port", `"127.0.0.1"]`, `"127.0.0.1:80"]`, "oembed.private_hosts[1]", "host name or an IP address"},
		{"endpoint domain", `domain = "video.example"`, `domain = ""`, "oembed.endpoints[0].domain", "must be a domain name"},
		{"endpoint not http", `endpoint = "https://video.example/oembed"`, `endpoint = "ftp://video.example/oembed"`, "oembed.endpoints[0].endpoint", "http or https URL"},
		{"endpoint with credentials", `endpoint = "https://video.example/oembed"`, `endpoint = "https://u:p@video.example/oembed"`, "oembed.endpoints[0].endpoint", "without credentials"},
		{"unknown role", `role = "guest"`, `role = "boss"`, "oembed.role", "must be one of anonymous"},
		{"negative timeout", `timeout = "3s"`, `timeout = "-3s"`, "oembed.timeout", "must not be negative"},
		{"negative size", `max_body_bytes = 4096`, `max_body_bytes = -1`, "oembed.max_body_bytes", "at least 1"},
		{"negative redirects", `max_redirects = 2`, `max_redirects = -2`, "oembed.max_redirects", "at least 1"},
		{"relative referer", `referer = "https://shop.example"`, `referer = "shop.example"`, "oembed.referer", "http or https URL"},
		{"unknown key", `max_fetches = 4`, "max_fetches = 4\nalways_iframe = true", "oembed.always_iframe", "unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validOEmbed, tt.old) {
				t.Fatalf("the base config has no %q", tt.old)
			}
			_, err := parseEnv(strings.Replace(validOEmbed, tt.old, tt.new, 1), nil)
			for _, e := range configErrors(t, err) {
				if e.Path == tt.path && strings.Contains(e.Msg, tt.msg) {
					return
				}
			}
			t.Fatalf("no error at %s containing %q in:\n%v", tt.path, tt.msg, err)
		})
	}
}

// TestOEmbedDefaults: with no [oembed], Apostrophe's allow-list and
// endpoints and its hour of cache; allowlist and endpoints add to the
// minimum lists, which an empty minimum list replaces.
func TestOEmbedDefaults(t *testing.T) {
	cfg, err := parseEnv("", nil)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.OEmbed
	if !slices.Equal(o.Hosts(), defaultOEmbedAllowlist) || len(o.Providers()) != 5 || o.Providers()[0].Domain != "vimeo.com" {
		t.Errorf("lists: %v %v", o.Hosts(), o.Providers())
	}
	if o.CacheLifetime.Duration != time.Hour || o.Timeout.Duration != 4*time.Second || o.ConnectTimeout.Duration != 2*time.Second ||
		o.MaxBodyBytes != 1<<20 || o.MaxRedirects != 5 || o.MaxFetches != 16 || o.MaxCacheEntries != 1000 || o.Role != "anonymous" ||
		o.PrivateHosts != nil || o.Referer != "" {
		t.Errorf("defaults: %+v", o)
	}
	cfg, err = parseEnv(validOEmbed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h := cfg.OEmbed.Hosts(); len(h) != len(defaultOEmbedAllowlist)+1 || h[len(h)-1] != "video.example" {
		t.Errorf("allowlist adds: %v", h)
	}
	if p := cfg.OEmbed.Providers(); len(p) != 6 || p[5].Domain != "video.example" {
		t.Errorf("endpoints add: %v", p)
	}
	cfg, err = parseEnv("[oembed]\nminimum_allowlist = []\nminimum_endpoints = []\nallowlist = [\"Video.Example\"]\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if h, p := cfg.OEmbed.Hosts(), cfg.OEmbed.Providers(); !slices.Equal(h, []string{"video.example"}) || len(p) != 0 {
		t.Errorf("minimum lists replace: %v %v", h, p)
	}
}
