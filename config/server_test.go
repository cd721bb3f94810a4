package config

import "testing"

// TestServerLimits: the caps on connections, requests and headers are
// read as written, and a rate limit's burst defaults to the rate.
func TestServerLimits(t *testing.T) {
	cfg, err := parseEnv("[server]\nmax_header_bytes = 65536\nmax_conns = 50\nmax_conns_per_ip = 5\nmax_in_flight = 8\nrate_limit = 20\n\n"+minimal, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Server
	got := []int{s.MaxHeaderBytes, s.MaxConns, s.MaxConnsPerIP, s.MaxInFlight, s.RateLimit, s.RateBurst}
	want := []int{65536, 50, 5, 8, 20, 20}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("limits = %v, want %v", got, want)
		}
	}
	cfg, err = parseEnv("[server]\nrate_limit = 20\nrate_burst = 100\n\n"+minimal, nil)
	if err != nil || cfg.Server.RateBurst != 100 {
		t.Fatalf("rate_burst = %d, %v; want 100", cfg.Server.RateBurst, err)
	}
}
