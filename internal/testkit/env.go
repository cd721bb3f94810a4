package testkit

import (
	"os"
	"testing"
)

// Need returns the environment variable that names a server the test
// needs (a database, Redis). Unset, it skips the test, or fails it in CI
// (CI=true), which runs every engine.
func Need(tb testing.TB, variable string) string {
	tb.Helper()
	v := os.Getenv(variable)
	if v == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set; CI must run every engine", variable)
		}
		tb.Skipf("%s is not set", variable)
	}
	return v
}
