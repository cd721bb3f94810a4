package app

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"time"

	"golang.org/x/time/rate"

	"github.com/aposproxy/aposproxy/config"
)

// NewLogger is the program's logger: text lines on w, every message and
// value passed through redact, so that no line shows a credential.
func NewLogger(w io.Writer) *slog.Logger {
	return NewLoggerFor(w, config.Log{Format: "text", Level: "info"})
}

// NewLoggerFor is the program's logger as [log] configures it: text or
// JSON lines on w from its level up, every message and value passed
// through redact.
func NewLoggerFor(w io.Writer, cfg config.Log) *slog.Logger {
	return slog.New(logHandler(w, cfg, redactAttr))
}

func logHandler(w io.Writer, cfg config.Log, replace func([]string, slog.Attr) slog.Attr) slog.Handler {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // checked by config: debug, info, warn or error
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: replace}
	if cfg.Format == "json" {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}

// redactAttr redacts the strings and errors of a log line.
func redactAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(redact(a.Value.String()))
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			a.Value = slog.StringValue(redact(err.Error()))
		}
	}
	return a
}

// The credentials a log line may carry, with what stays of them (the
// name, never the value).
var redactions = []struct {
	re   *regexp.Regexp
	keep string
}{
	// A header of a request fasthttp quotes: Authorization, Cookie,
	// X-Api-Key, X-Auth-Token, ... up to the end of the line (a quoted
	// line ends at \r\n written out).
	{regexp.MustCompile(`(?i)((?:\\n|\n|")[a-z0-9-]*(?:authorization|cookie|token|key|secret|session|password)[a-z0-9-]*[ \t]*:[ \t]*)[^\r\n\\"]*`), "${1}[REDACTED]"},
	// A query or form parameter: apikey=, apiKey=, access_token=,
	// password=, ...
	{regexp.MustCompile(`(?i)((?:^|[?&;\s"])(?:[a-z0-9_.-]*(?:key|token|secret|session|password|passwd)[a-z0-9_.-]*|[a-z0-9_.-]*sid|auth)=)[^&\s"\\]*`), "${1}[REDACTED]"},
	// A credential after its scheme, wherever it is.
	{regexp.MustCompile(`(?i)\b((?:bearer|apikey|basic)\s+)[^\s"\\,;]+`), "${1}[REDACTED]"},
	// Anything token-like: a run of 32 or more letters and digits (the
	// proxy's tokens and session ids are 32 such characters).
	{regexp.MustCompile(`[A-Za-z0-9_-]{32,}`), "[REDACTED]"},
}

// redact hides the credentials in s: API keys, tokens, passwords and
// session ids in a query string, credential headers (Authorization,
// Cookie, ...), bearer and API-key credentials, and token-like strings.
func redact(s string) string {
	if !mayHoldCredential(s) {
		return s
	}
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.keep)
	}
	return s
}

// mayHoldCredential reports whether one of the redactions could match s:
// each needs a '=', white space, a ':' after a quote or a line break, or a
// run of 32 token characters. A plain path such as
// /api/v1/product/P-1001:en:published needs none, and skips the four
// regular expressions (most of what the request log cost).
func mayHoldCredential(s string) bool {
	run, colon, quote := 0, false, false
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b == '=' || b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f':
			return true
		case b == ':':
			colon = true
		case b == '"' || b == '\\':
			quote = true
		case b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-':
			if run++; run >= 32 {
				return true
			}
			continue
		}
		run = 0
	}
	return colon && quote
}

// fasthttpLogger is fasthttp's Logger over the program's logger: what
// fasthttp says about a connection (a malformed request, the connection
// caps) goes to the same log, redacted, and at most a few lines a second
// when a flood of bad requests would write one each.
type fasthttpLogger struct {
	log  *slog.Logger
	rate *rate.Sometimes
}

func newFasthttpLogger(log *slog.Logger) *fasthttpLogger {
	return &fasthttpLogger{log: log, rate: &rate.Sometimes{First: 20, Interval: 100 * time.Millisecond}}
}

// Printf logs one of fasthttp's messages as a warning.
func (l *fasthttpLogger) Printf(format string, args ...any) {
	l.rate.Do(func() {
		l.log.Warn(redact(fmt.Sprintf(format, args...)), "from", "fasthttp")
	})
}
