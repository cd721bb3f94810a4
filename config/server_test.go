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

// TestServerCompress: compression is off by default; on, its threshold
// defaults to 1 KiB; a negative threshold, or one without compress, stops
// the start at its line.
func TestServerCompress(t *testing.T) {
	cfg, err := parseEnv(minimal, nil)
	if err != nil || cfg.Server.Compress || cfg.Server.CompressMinBytes != 0 {
		t.Fatalf("default: compress = %v, min = %d, %v", cfg.Server.Compress, cfg.Server.CompressMinBytes, err)
	}
	cfg, err = parseEnv("[server]\ncompress = true\n\n"+minimal, nil)
	if err != nil || !cfg.Server.Compress || cfg.Server.CompressMinBytes != 1024 {
		t.Fatalf("compress = true: min = %d, %v", cfg.Server.CompressMinBytes, err)
	}
	cfg, err = parseEnv("[server]\ncompress = true\ncompress_min_bytes = 200\n\n"+minimal, nil)
	if err != nil || cfg.Server.CompressMinBytes != 200 {
		t.Fatalf("compress_min_bytes = 200: got %d, %v", cfg.Server.CompressMinBytes, err)
	}
	for _, tt := range []struct{ src, msg string }{
		{"[server]\ncompress = true\ncompress_min_bytes = -1\n\n", "must be positive"},
		{"[server]\ncompress_min_bytes = 512\n\n", "needs compress = true"},
	} {
		src := tt.src + minimal
		_, err := parseEnv(src, nil)
		wantError(t, err, "server.compress_min_bytes", lineOf(t, src, "compress_min_bytes"), tt.msg)
	}
	_, err = parseEnv("[server]\ncompress = \"yes\"\n\n"+minimal, nil)
	wantError(t, err, "server.compress", 2, "must be true or false")
}
