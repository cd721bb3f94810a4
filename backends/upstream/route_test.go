package upstream

import (
	"testing"

	"github.com/aposproxy/aposproxy/config"
)

func TestRoute(t *testing.T) {
	tests := []struct {
		name, path string
		v          vars
		params     [][2]string
		want       string
	}{
		{"placeholders", "/v2/items/{key}?language={locale}&state={mode}", vars{key: "INV-1", locale: "en", mode: "live"}, nil,
			"http://h/base/v2/items/INV-1?language=en&state=live"},
		{"escaping", "/v2/items/{key}?language={locale}", vars{key: "a/b c?d&e#f%", locale: "fr-CA"}, nil,
			"http://h/base/v2/items/a%2Fb%20c%3Fd%26e%23f%25?language=fr-CA"},
		{"unicode", "/v2/{key}", vars{key: "é"}, nil, "http://h/base/v2/%C3%A9"},
		{"params after a query", "/v2/items?state={mode}", vars{mode: "draft"}, [][2]string{{"q", "oak & pine"}, {"start", "0"}},
			"http://h/base/v2/items?state=draft&q=oak%20%26%20pine&start=0"},
		{"params without a query", "/v2/items", vars{}, [][2]string{{"count", "10"}}, "http://h/base/v2/items?count=10"},
		{"placeholder inside a segment", "/v2/{locale}-items/{key}.json", vars{key: "7", locale: "en"}, nil,
			"http://h/base/v2/en-items/7.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRoute(config.ServiceOperation{Method: "GET", Path: tt.path})
			uri := r.appendURI(nil, "http://h/base", &tt.v)
			for _, p := range tt.params {
				uri = appendParam(uri, p[0], p[1])
			}
			if string(uri) != tt.want {
				t.Errorf("got  %s\nwant %s", uri, tt.want)
			}
		})
	}
}
