package sqlbackend

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// isoMillis is how the API shows datetimes: ISO 8601, UTC, milliseconds.
const isoMillis = "2006-01-02T15:04:05.000Z"

// appendObject appends the JSON object of the columns of v read from cells.
func appendObject(dst []byte, fields []field, cells []cell, v view) []byte {
	dst = append(dst, '{')
	for i, c := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		f := &fields[c.field]
		dst = append(dst, f.key...)
		dst = appendField(dst, f, &cells[c.cell])
	}
	return append(dst, '}')
}

// appendField appends c as the JSON value of field f: decimals with the
// column's scale, datetimes read in the column's zone, the rest by kind.
func appendField(dst []byte, f *field, c *cell) []byte {
	switch {
	case c.typ == cellNull:
	case f.kind == apos.Decimal:
		if b := appendDecimal(dst, c, f.scale); b != nil {
			return b
		}
	case f.kind == apos.DateTime:
		if t, ok := c.dateTime(&f.tm); ok {
			dst = append(dst, '"')
			return append(t.AppendFormat(dst, isoMillis), '"')
		}
	}
	return appendValue(dst, f.kind, c)
}

// appendValue appends c as the JSON value of a field of kind k. A stored
// value that does not fit the kind is shown as a JSON string rather than
// breaking the document.
func appendValue(dst []byte, k apos.Kind, c *cell) []byte {
	if c.typ == cellNull {
		return append(dst, "null"...)
	}
	switch k {
	case apos.Integer, apos.Float, apos.Decimal:
		switch c.typ {
		case cellInt:
			return strconv.AppendInt(dst, c.i, 10)
		case cellFloat:
			return appendFloat(dst, c.f)
		case cellText:
			if isJSONNumber(c.text) {
				return append(dst, c.text...)
			}
		}
	case apos.Boolean:
		if b, ok := c.boolean(); ok {
			return strconv.AppendBool(dst, b)
		}
	case apos.Date:
		switch c.typ {
		case cellTime:
			dst = append(dst, '"')
			return append(c.t.AppendFormat(dst, time.DateOnly), '"')
		case cellText:
			if d, ok := datePrefix(c.text); ok {
				dst = append(dst, '"')
				return append(append(dst, d...), '"')
			}
		}
	case apos.DateTime:
		if t, ok := c.dateTime(nil); ok {
			dst = append(dst, '"')
			return append(t.UTC().AppendFormat(dst, isoMillis), '"')
		}
	case apos.JSON:
		switch c.typ {
		case cellText:
			if gjson.ValidBytes(c.text) {
				return appendCompactJSON(dst, c.text)
			}
		case cellInt:
			return strconv.AppendInt(dst, c.i, 10)
		case cellFloat:
			return appendFloat(dst, c.f)
		case cellBool:
			return strconv.AppendBool(dst, c.b)
		}
	}
	if c.typ == cellText {
		return appendJSONString(dst, c.text)
	}
	dst = append(dst, '"')
	return append(c.appendText(dst), '"')
}

// appendCompactJSON appends the valid JSON src without the spaces between
// its tokens, as Apostrophe (JSON.stringify) writes it, and as MySQL's and
// PostgreSQL's normalized JSON and hand-written legacy text are not.
func appendCompactJSON(dst, src []byte) []byte {
	inString, escaped := false, false
	for _, c := range src {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// appendFloat appends f as a JSON number the way JavaScript prints it;
// NaN and infinities, which JSON lacks, become null.
func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, 64)
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD; U+2028 and U+2029 are escaped for JavaScript's sake.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			if r == utf8.RuneError {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			}
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// isJSONNumber reports whether b is a number in JSON's grammar.
func isJSONNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// parseBool reads the spellings of booleans that legacy text columns use.
func parseBool(b []byte) (value, ok bool) {
	switch string(b) {
	case "1", "t", "T", "true", "TRUE", "True", "y", "Y", "yes", "YES":
		return true, true
	case "0", "f", "F", "false", "FALSE", "False", "n", "N", "no", "NO":
		return false, true
	}
	return false, false
}

// datePrefix returns the "YYYY-MM-DD" that b starts with.
func datePrefix(b []byte) ([]byte, bool) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return nil, false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if b[i] < '0' || b[i] > '9' {
			return nil, false
		}
	}
	return b[:10], true
}

// dateTimeLayouts are the text forms of datetimes read from text columns,
// after the legacy "2006-01-02 15:04:05" that parseLegacyTime reads fast.
// Times without a zone are UTC.
var dateTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	time.DateOnly,
}

// parseDateTime reads a datetime stored as text; naive is true when the
// text has no zone (it is read as UTC).
func parseDateTime(b []byte) (t time.Time, naive, ok bool) {
	if t, ok := parseLegacyTime(b); ok {
		return t, true, true
	}
	s := string(b)
	for i, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, i >= 2, true
		}
	}
	return time.Time{}, false, false
}

// parseLegacyTime reads "2006-01-02 15:04:05" (or with a T) as UTC without
// allocating: it is how SQLite tables keep datetimes, on every row read.
func parseLegacyTime(b []byte) (time.Time, bool) {
	if len(b) != 19 || b[13] != ':' || b[16] != ':' || b[10] != ' ' && b[10] != 'T' {
		return time.Time{}, false
	}
	if _, ok := datePrefix(b); !ok {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d := num(0, 4), num(5, 2), num(8, 2)
	h, mi, s := num(11, 2), num(14, 2), num(17, 2)
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC), true
}
