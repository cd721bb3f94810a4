package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// field is one API field and where the service keeps it.
type field struct {
	name     string
	kind     apos.Kind
	path     string // gjson/sjson path into the service's items
	readOnly bool
	label    string // `"name":`, ready to append
	slot     int    // of path, in itemPaths
}

// The wire formats of dates and datetimes.
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02T15:04:05.000Z"
)

// record maps one service item onto a record of scope s. project, when not
// nil, limits the fields.
func (a *Adapter) record(item gjson.Result, s apos.Scope, project []string) (adapters.Record, error) {
	var buf [inlineSlots]gjson.Result
	return a.recordOf(item, a.paths.values(item, buf[:]), s, project)
}

// recordOf is record with the item's values at a.paths.
func (a *Adapter) recordOf(item gjson.Result, vals []gjson.Result, s apos.Scope, project []string) (adapters.Record, error) {
	if !item.IsObject() {
		return adapters.Record{}, garbage(a, "an item is not a JSON object")
	}
	key := vals[a.idSlot]
	if key.Type != gjson.String && key.Type != gjson.Number || key.String() == "" {
		return adapters.Record{}, garbage(a, "an item has no key at "+a.idPath())
	}
	fields, err := a.appendFields(make([]byte, 0, len(item.Raw)), vals, project)
	if err != nil {
		return adapters.Record{}, err
	}
	return adapters.Record{DocID: apos.EncodeKey(key.String()), Scope: s, Fields: fields}, nil
}

// appendFields appends the JSON object of the API fields, from an item's
// values at a.paths.
func (a *Adapter) appendFields(dst []byte, vals []gjson.Result, project []string) ([]byte, error) {
	dst = append(dst, '{')
	first := true
	for i := range a.fields {
		f := &a.fields[i]
		if project != nil && !slices.Contains(project, f.name) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, f.label...)
		var ok bool
		if dst, ok = appendValue(dst, f.kind, vals[f.slot]); !ok {
			return nil, garbage(a, fmt.Sprintf("field %s: %s is not a %s", f.path, vals[f.slot].Raw, f.kind))
		}
	}
	return append(dst, '}'), nil
}

// appendValue renders a service value as a value of kind. It accepts what
// legacy services commonly send for a kind (numbers as strings, 0/1 for
// booleans, datetimes without milliseconds) and reports anything else.
func appendValue(dst []byte, kind apos.Kind, v gjson.Result) ([]byte, bool) {
	if v.Type == gjson.Null {
		return append(dst, "null"...), true
	}
	switch kind {
	case apos.String, apos.Select:
		switch v.Type {
		case gjson.String:
			return append(dst, v.Raw...), true
		case gjson.Number:
			return append(append(append(dst, '"'), v.Raw...), '"'), true
		}
	case apos.Integer:
		if n, err := strconv.ParseInt(v.String(), 10, 64); err == nil && (v.Type == gjson.Number || v.Type == gjson.String) {
			return strconv.AppendInt(dst, n, 10), true
		}
		if f := v.Float(); v.Type == gjson.Number && f == float64(int64(f)) {
			return strconv.AppendInt(dst, int64(f), 10), true
		}
	case apos.Float:
		// NaN and the infinities ("NaN", "Inf", or a number past float64
		// such as 1e400) have no JSON form.
		if f, err := strconv.ParseFloat(v.String(), 64); err == nil && (v.Type == gjson.Number || v.Type == gjson.String) && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return strconv.AppendFloat(dst, f, 'g', -1, 64), true
		}
	case apos.Boolean:
		switch {
		case v.Type == gjson.True || v.Type == gjson.Number && v.Raw == "1":
			return append(dst, "true"...), true
		case v.Type == gjson.False || v.Type == gjson.Number && v.Raw == "0":
			return append(dst, "false"...), true
		}
	case apos.Date:
		if t, ok := parseTime(v); ok {
			return appendTime(dst, t, false), true
		}
	case apos.DateTime:
		if t, ok := parseTime(v); ok {
			return appendTime(dst, t.UTC(), true), true
		}
	case apos.JSON:
		// Compact: the service's own indentation is not part of the value.
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(v.Raw)); err != nil {
			return dst, false
		}
		return append(dst, buf.Bytes()...), true
	}
	return dst, false
}

// appendTime appends t quoted, as a date (dateLayout) or a datetime
// (dateTimeLayout), the way t.AppendFormat writes them, without reading
// the layout again for every value: years outside 0 to 9999 are left to
// AppendFormat.
func appendTime(dst []byte, t time.Time, clock bool) []byte {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		layout := dateLayout
		if clock {
			layout = dateTimeLayout
		}
		return append(t.AppendFormat(append(dst, '"'), layout), '"')
	}
	dst = append(dst, '"')
	dst = appendDigits(dst, year, 4)
	dst = appendDigits(append(dst, '-'), int(month), 2)
	dst = appendDigits(append(dst, '-'), day, 2)
	if clock {
		hour, minute, sec := t.Clock()
		dst = appendDigits(append(dst, 'T'), hour, 2)
		dst = appendDigits(append(dst, ':'), minute, 2)
		dst = appendDigits(append(dst, ':'), sec, 2)
		dst = appendDigits(append(dst, '.'), t.Nanosecond()/1e6, 3) // truncated, as ".000" does
		dst = append(dst, 'Z')
	}
	return append(dst, '"')
}

// appendDigits appends n (0 <= n < 10^width) in width digits.
func appendDigits(dst []byte, n, width int) []byte {
	var b [4]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[:width]...)
}

// parseTime reads an RFC 3339 datetime, a date, or a "YYYY-MM-DD hh:mm:ss"
// datetime taken as UTC.
func parseTime(v gjson.Result) (time.Time, bool) {
	if v.Type != gjson.String {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, dateLayout, time.DateTime} {
		if t, err := time.Parse(layout, v.Str); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// garbage is a service answer that does not fit the mapping: the service
// failed, as far as clients are concerned.
func garbage(a *Adapter, what string) error {
	return apos.Wrap(apos.ErrBadGateway, "", fmt.Errorf("upstream %s: %s: %s", a.c.name, a.schema.Type, what))
}
