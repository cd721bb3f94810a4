package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// requestRecord is a request line as the proxy writes it
// (proxy.Server.logRequest).
func requestRecord(at time.Time, id, route, path, caller string, status int, d time.Duration) slog.Record {
	r := slog.NewRecord(at, slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.String("request_id", id), slog.String("method", "GET"), slog.String("route", route),
		slog.String("path", path), slog.Int("status", status), slog.Duration("duration", d),
		slog.Int("bytes", 1234), slog.String("caller", caller))
	return r
}

// sameAsSlog checks that the request log writes r as slog's own handler
// for the format, with the path redacted, would.
func sameAsSlog(t *testing.T, format string, r slog.Record) {
	t.Helper()
	cfg := config.Log{Format: format, Level: "info"}
	var got, want bytes.Buffer
	if err := newAccessLogger(&got, cfg).Handler().Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	slowest := logHandler(&want, cfg, func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == "path" {
			a.Value = slog.StringValue(redact(a.Value.String()))
		}
		return a
	})
	if err := slowest.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("%s line\n got %q\nwant %q", format, got.String(), want.String())
	}
}

// TestAccessLineAsSlog: the request log's own writing of a line is byte
// for byte slog's, in JSON and text, for plain values and for those it
// leaves to slog (quoted, escaped, redacted, non-ASCII, empty).
func TestAccessLineAsSlog(t *testing.T) {
	at := time.Date(2026, 12, 5, 9, 14, 46, 123456789, time.UTC)
	for _, tc := range []struct {
		id, route, path, caller string
		at                      time.Time
		d                       time.Duration
	}{
		{"3f2a9c1d5e6b7a80-1k", "/api/v1/product/{_id}", "/api/v1/product/P-1001:en:published", "anonymous", at, 1234567 * time.Nanosecond},
		{"a", "unmatched", "/", "user:42", at.Truncate(time.Second), time.Second},
		{"a", "/api/v1/@apostrophecms/page/{_id}", "/api/v1/@apostrophecms/page/ck1~x,(y)!*[z]", "apikey:ci", at.In(time.FixedZone("x", 3600)), 0},
		{"id", "/r", "/api/v1/product/abcdefghijklmnopqrstuvwxyz234567", "anonymous", at, time.Millisecond}, // redacted
		{"id", "/r", "/api/v1/a b", "anonymous", at, 0},                                                     // quoted
		{"id", "/r", `/api/v1/"x"\<y>&z=1`, "user:a=b", at, 0},
		{"id", "/r", "/api/v1/produit/é\u2028\x00\xff", "anonymous", at, 0},
		{"", "/r", "/p", "anonymous", at, 0},
		{"id", "/r", "/p", "anonymous", time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC), 0},
	} {
		r := requestRecord(tc.at, tc.id, tc.route, tc.path, tc.caller, 200, tc.d)
		sameAsSlog(t, "json", r)
		sameAsSlog(t, "text", r)
	}
	// A plain line is the request log's own to write.
	for _, format := range []string{"json", "text"} {
		h := newAccessLogger(io.Discard, config.Log{Format: format, Level: "info"}).Handler().(*accessHandler)
		if _, ok := h.appendLine(nil, requestRecord(at, "id-1", "/api/v1/product/{_id}", "/api/v1/product/P-1", "anonymous", 200, 0)); !ok {
			t.Fatalf("%s: a plain line is left to slog", format)
		}
	}
	// Any other shape of record, too.
	r := slog.NewRecord(at, slog.LevelWarn, "other", 0)
	r.AddAttrs(slog.Bool("b", true), slog.Float64("f", 1.5), slog.Group("g", slog.Int("i", 1)), slog.String("", "x"))
	sameAsSlog(t, "json", r)
	sameAsSlog(t, "text", r)
}

// FuzzAccessLineAsSlog: whatever the path and the caller, the request
// log writes what slog would.
func FuzzAccessLineAsSlog(f *testing.F) {
	for _, s := range []string{"/api/v1/product/P-1001:en:published", "/a b", "/x?apikey=k", `"`, "é", "/t/abcdefghijklmnopqrstuvwxyz234567"} {
		f.Add(s, int64(1700000000123456789))
	}
	f.Fuzz(func(t *testing.T, path string, nanos int64) {
		r := requestRecord(time.Unix(0, nanos), "id-1", "/api/v1/product/{_id}", path, path, 200, time.Duration(nanos%1e12))
		sameAsSlog(t, "json", r)
		sameAsSlog(t, "text", r)
	})
}

// TestAccessLogLevel: at log.level warn, the request lines (info) are
// left out, as before.
func TestAccessLogLevel(t *testing.T) {
	var out bytes.Buffer
	newAccessLogger(&out, config.Log{Format: "json", Level: "warn"}).Info("request", "status", 200)
	if out.Len() != 0 {
		t.Fatalf("an info line at level warn: %s", out.String())
	}
}

// TestLogOutputFlushes: a request line reaches the writer within the
// flush interval without any further line.
func TestLogOutputFlushes(t *testing.T) {
	var w testkit.Buffer
	out := newLogOutput(&w, flushEvery)
	defer out.Close()
	if _, err := out.Write([]byte("r1\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second) // flushEvery, with room for a loaded machine
	for w.String() == "" && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := w.String(); got != "r1\n" {
		t.Fatalf("never flushed: %q", got)
	}
}

// TestLogOutputOrder: request lines wait; a line of the program's logger
// is written at once, after them; Close writes what waits, and after it
// a line is written at once.
func TestLogOutputOrder(t *testing.T) {
	var w testkit.Buffer
	out := newLogOutput(&w, time.Hour)
	_, _ = out.Write([]byte("r1\n"))
	if got := w.String(); got != "" {
		t.Fatalf("written at once: %q", got)
	}
	_, _ = out.Now().Write([]byte("program\n"))
	if got := w.String(); got != "r1\nprogram\n" {
		t.Fatalf("a program line: %q", got)
	}
	_, _ = out.Write([]byte("r2\n"))
	out.Close()
	if got := w.String(); got != "r1\nprogram\nr2\n" {
		t.Fatalf("at close: %q", got)
	}
	_, _ = out.Write([]byte("late\n"))
	if got := w.String(); got != "r1\nprogram\nr2\nlate\n" {
		t.Fatalf("after close: %q", got)
	}
}

// TestLogOutputBatches: the lines are written in batches of flushSize,
// whole lines each.
func TestLogOutputBatches(t *testing.T) {
	var w testkit.Buffer
	out := newLogOutput(&w, time.Hour)
	defer out.Close()
	line := []byte(strings.Repeat("x", 99) + "\n")
	for range flushSize / len(line) {
		_, _ = out.Write(line)
	}
	if w.String() != "" {
		t.Fatal("written before a batch was full")
	}
	_, _ = out.Write(line)
	if got := len(w.String()); got != (flushSize/len(line)+1)*len(line) {
		t.Fatalf("a full batch wrote %d bytes", got)
	}
}

// BenchmarkAccessLine: a request line, JSON, written to io.Discard as
// the request log writes it (own) and as slog's handler did, through
// Logger.LogAttrs (slog): what the line itself costs, without the
// program around it.
func BenchmarkAccessLine(b *testing.B) {
	cfg := config.Log{Format: "json", Level: "info"}
	at := time.Now()
	b.Run("slog", func(b *testing.B) {
		log := slog.New(logHandler(io.Discard, cfg, func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "path" {
				a.Value = slog.StringValue(redact(a.Value.String()))
			}
			return a
		}))
		b.ReportAllocs()
		for b.Loop() {
			log.LogAttrs(context.Background(), slog.LevelInfo, "request",
				slog.String("request_id", "3f2a9c1d5e6b7a80-1k"), slog.String("method", "GET"),
				slog.String("route", "/api/v1/product/{id}"), slog.String("path", "/api/v1/product/P-1001:en:published"),
				slog.Int("status", 200), slog.Duration("duration", 1234567), slog.Int("bytes", 2345), slog.String("caller", "anonymous"))
		}
	})
	b.Run("own", func(b *testing.B) {
		h := newAccessLogger(io.Discard, cfg).Handler()
		b.ReportAllocs()
		for b.Loop() {
			r := slog.NewRecord(at, slog.LevelInfo, "request", 0)
			r.AddAttrs(
				slog.String("request_id", "3f2a9c1d5e6b7a80-1k"), slog.String("method", "GET"),
				slog.String("route", "/api/v1/product/{id}"), slog.String("path", "/api/v1/product/P-1001:en:published"),
				slog.Int("status", 200), slog.Duration("duration", 1234567), slog.Int("bytes", 2345), slog.String("caller", "anonymous"))
			_ = h.Handle(context.Background(), r)
		}
	})
}
