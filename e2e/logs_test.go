package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestRequestLinesWrittenAtExit: the request log's lines, which the
// binary writes in batches (docs/config.md, [log]), are all written when
// it stops on SIGTERM, right after the last request, before its last line.
func TestRequestLinesWrittenAtExit(t *testing.T) {
	s := startShop(t, testkit.SQLite)
	for _, id := range []string{"at-exit-1", "at-exit-2", "at-exit-3"} {
		expect(t, s.do(t, "GET", "/category", "", "", "X-Request-Id", id), 200)
	}
	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.logs.String(), "msg=stopped") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	logs := s.logs.String()
	stopped := strings.Index(logs, "msg=stopped")
	if stopped < 0 {
		t.Fatalf("the binary did not stop:\n%s", logs)
	}
	for _, id := range []string{"at-exit-1", "at-exit-2", "at-exit-3"} {
		if i := strings.Index(logs, "request_id="+id); i < 0 || i > stopped {
			t.Errorf("the line of %s is not written before the last line", id)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs)
	}
}
