package config

import (
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	env := map[string]string{"A": "alpha", "EMPTY": "", "DOLLAR": "$B"}
	x := &expander{lookup: mapLookup(env)}
	tests := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "alpha"},
		{in: "x-${A}-y", want: "x-alpha-y"},
		{in: "${MISSING:-fallback}", want: "fallback"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${A:-fallback}", want: "alpha"},
		{in: "${MISSING:-}", want: ""},
		{in: "${EMPTY}", want: ""},
		{in: "$$", want: "$"},
		{in: "$${A}", want: "${A}"},
		{in: "$$${A}", want: "$alpha"},
		{in: "$$$${A}", want: "$${A}"},
		{in: "costs $5 or $", want: "costs $5 or $"},
		{in: "${DOLLAR}", want: "$B"},
		{in: "${MISSING}", err: "environment variable MISSING is not set; write ${MISSING:-} to allow empty"},
		{in: "${A", err: `unterminated "${"`},
		{in: "${1A}", err: `bad environment variable name "1A"`},
		{in: "${}", err: `bad environment variable name ""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := expand(tt.in, x.resolve)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("expand(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestExpandSecret(t *testing.T) {
	env := map[string]string{"KEY": "k-${NOT_EXPANDED}", "EMPTY": ""}
	tests := []struct {
		in, want, err string
	}{
		{in: "${KEY}", want: "k-${NOT_EXPANDED}"},
		{in: "${UNSET}", want: ""},
		{in: "prefix-${UNSET}", want: ""},
		{in: "${EMPTY}", want: ""},
		{in: "literal", want: "literal"},
		{in: "${UNSET:-default}", err: "a secret takes no default"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			errs := &errorList{}
			x := &expander{lookup: mapLookup(env), errs: errs}
			got := x.secret("api_keys.a.secret", tt.in)
			err := errs.err()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("secret(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("secret(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func mapLookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}
