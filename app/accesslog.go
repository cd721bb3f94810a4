package app

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aposproxy/aposproxy/config"
)

// newAccessLogger is the request log (docs/api-rules.md#222): the
// program's format on w. Its lines are built from what cannot hold a
// credential (ids, the route template, numbers, a key's name), except
// the path, which a client writes: only the path is redacted, which
// keeps the per-request cost low.
func newAccessLogger(w io.Writer, cfg config.Log) *slog.Logger {
	lw := &lockedWriter{w: w}
	slow := logHandler(lw, cfg, func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == "path" {
			a.Value = slog.StringValue(redact(a.Value.String()))
		}
		return a
	})
	h := &accessHandler{slow: slow, w: lw, json: cfg.Format == "json"}
	_ = h.level.UnmarshalText([]byte(cfg.Level)) // checked by config
	return slog.New(h)
}

// accessHandler writes the request log's lines byte for byte as slog's
// JSON or text handler would (slow), without its generic machinery,
// which cost most of a line: a line whose values are all plain strings
// (printable ASCII that neither format quotes or escapes), integers and
// durations is written here; any other goes to slow, as does a path that
// may hold a credential, which slow redacts. TestAccessLineAsSlog holds
// the two to the same output.
type accessHandler struct {
	slow  slog.Handler
	w     *lockedWriter
	json  bool
	level slog.Level
}

// lockedWriter serializes the lines of both ways of writing them.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var lineBufs = sync.Pool{New: func() any { return new([]byte) }}

func (h *accessHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *accessHandler) Handle(ctx context.Context, r slog.Record) error {
	bp := lineBufs.Get().(*[]byte)
	defer lineBufs.Put(bp)
	line, ok := h.appendLine((*bp)[:0], r)
	*bp = line
	if !ok {
		return h.slow.Handle(ctx, r)
	}
	_, err := h.w.Write(line)
	return err
}

// WithAttrs and WithGroup hand over to slog's handler: the request log
// uses neither.
func (h *accessHandler) WithAttrs(as []slog.Attr) slog.Handler { return h.slow.WithAttrs(as) }
func (h *accessHandler) WithGroup(name string) slog.Handler    { return h.slow.WithGroup(name) }

// appendLine appends r's line to b, or reports that slog must write it.
func (h *accessHandler) appendLine(b []byte, r slog.Record) ([]byte, bool) {
	if y := r.Time.Year(); r.Time.IsZero() || y < 0 || y >= 10000 || !plain(r.Message) {
		return b, false
	}
	if h.json {
		b = append(b, `{"time":"`...)
		b = r.Time.AppendFormat(b, time.RFC3339Nano)
		b = append(append(append(b, `","level":"`...), r.Level.String()...), `","msg":"`...)
		b = append(append(b, r.Message...), '"')
	} else {
		b = appendRFC3339Millis(append(b, "time="...), r.Time)
		b = append(append(b, " level="...), r.Level.String()...)
		b = append(append(b, " msg="...), r.Message...)
	}
	ok := true
	r.Attrs(func(a slog.Attr) bool {
		if !plain(a.Key) {
			ok = false
			return false
		}
		if h.json {
			b = append(append(append(b, `,"`...), a.Key...), `":`...)
		} else {
			b = append(append(append(b, ' '), a.Key...), '=')
		}
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			s := v.String()
			if ok = plain(s) && (a.Key != "path" || !mayHoldCredential(s)); !ok {
				return false
			}
			if h.json {
				b = append(append(append(b, '"'), s...), '"')
			} else {
				b = append(b, s...)
			}
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindDuration:
			if h.json {
				b = strconv.AppendInt(b, int64(v.Duration()), 10)
			} else {
				b = append(b, v.Duration().String()...)
			}
		default:
			ok = false
		}
		return ok
	})
	if h.json {
		b = append(b, '}')
	}
	return append(b, '\n'), ok
}

// plain reports whether s is written as it is, unquoted and unescaped,
// by both slog handlers: printable ASCII without a quote, backslash, '='
// or space (text quotes those), nor <, > and & (which JSON may escape).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if !plainBytes[s[i]] {
			return false
		}
	}
	return s != ""
}

var plainBytes = func() (t [256]bool) {
	for c := '!'; c < 0x7f; c++ {
		t[c] = !strings.ContainsRune(`"\=<>&`, c)
	}
	return t
}()

// appendRFC3339Millis is the text handler's time: RFC 3339 with exactly
// three digits of milliseconds (log/slog's function of that name).
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...) // drop the 4th digit
}
