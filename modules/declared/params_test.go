package declared

import (
	"math"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/tidwall/gjson"
)

// TestParamRanges: an integer parameter that a statement binds narrower
// than 64 bits refuses values outside, with the narrowest range of its
// statements; other parameters and kinds are not bounded.
func TestParamRanges(t *testing.T) {
	p := &params{}
	p.bound(map[string]sqldb.IntRange{"id": {Min: math.MinInt32, Max: math.MaxInt32}})
	p.bound(map[string]sqldb.IntRange{"id": {Min: math.MinInt16, Max: math.MaxInt16}})
	for _, c := range []struct {
		name, kind, raw string
		ok              bool
	}{
		{"id", "integer", `32767`, true},
		{"id", "integer", `32768`, false},
		{"id", "integer", `"-32769"`, false},
		{"other", "integer", `2147483648`, true},
		{"id", "string", `"99999"`, true},
	} {
		_, msg := p.value(c.name, c.kind, gjson.Parse(c.raw))
		if (msg == "") != c.ok {
			t.Errorf("%s %s %s: message %q, want ok %v", c.name, c.kind, c.raw, msg, c.ok)
		}
	}
}
