package proxy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// ignoredKey reports whether a body key that is not a writable field is
// silently ignored: Apostrophe's document keys (a client that sends back a
// document it read, as Apostrophe's own clients do on PUT, sends them),
// "_" keys and read-only fields. Any other unknown key is refused, so that
// a typo never loses data.
func (d *docType) ignoredKey(key string) bool {
	if strings.HasPrefix(key, "_") || apos.IsDocKey(key) || d.relStorage(key) {
		return true
	}
	f := d.fields[key]
	return f != nil && f.ReadOnly
}

// write is the kind of write a body is converted for.
type write int

// The writes: POST, PUT, PATCH.
const (
	writeInsert write = iota
	writeReplace
	writePatch
)

// convert validates a JSON object body against the schema and returns the
// values to write. Inserts and replacements take every writable field,
// absent ones as empty; a patch takes only the fields in only. Errors list
// every bad field at once.
func (d *docType) convert(body gjson.Result, w write, only map[string]bool, st stamp) ([]adapters.Value, error) {
	var errs []apos.FieldError
	if w != writePatch {
		body.ForEach(func(k, _ gjson.Result) bool {
			if d.fields[k.Str] == nil && !d.ignoredKey(k.Str) {
				errs = append(errs, apos.FieldError{Path: k.Str, Name: "invalid", Msg: "Unknown field."})
			}
			return true
		})
	}
	vals := make([]adapters.Value, 0, len(d.schema.Fields))
	for i := range d.schema.Fields {
		f := &d.schema.Fields[i]
		switch {
		case f.Auto == apos.AutoUpdate || f.Auto == apos.AutoCreate && w == writeInsert:
			vals = append(vals, adapters.Value{Field: f.Name, V: st.now})
			continue
		case f.Auto == apos.AutoUser:
			vals = append(vals, adapters.Value{Field: f.Name, V: st.by})
			continue
		case f.ReadOnly:
			continue
		case w == writePatch && !only[f.Name]:
			continue
		case f.WriteOnly():
			vals, errs = convertPassword(f, body.Get(f.Name), w, vals, errs)
			continue
		}
		raw := body.Get(f.Name)
		v, ferr := convertValue(f, raw)
		if ferr == "" && !utf8.ValidString(raw.Raw) {
			// Text that is not UTF-8: SQLite would keep the bytes as
			// sent, where PostgreSQL and MySQL refuse them.
			ferr = "invalid"
		}
		if ferr == "" && f.Required && isEmpty(v) {
			ferr = "required"
		}
		if ferr != "" {
			errs = append(errs, apos.FieldError{Path: f.Name, Name: ferr, Msg: decimalMsg(f, ferr)})
			continue
		}
		vals = append(vals, adapters.Value{Field: f.Name, V: v})
	}
	if len(errs) > 0 {
		return nil, &apos.ValidationError{Fields: errs}
	}
	return vals, nil
}

// isEmpty is Apostrophe's notion of a missing required value.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	}
	return false
}

// convertValue converts one JSON value to f's kind. It returns the name of
// the field error ("invalid") when the value cannot be of that kind.
// Numeric strings are accepted for numbers (form posts send strings), but
// nothing is silently truncated or dropped.
func convertValue(f *apos.Field, r gjson.Result) (any, string) {
	if !r.Exists() && f.Default != nil {
		return f.Default, ""
	}
	if r.Type == gjson.Null || !r.Exists() {
		if f.Kind == apos.Boolean {
			return false, ""
		}
		return nil, ""
	}
	switch f.Kind {
	case apos.String:
		if r.Type != gjson.String {
			return nil, "invalid"
		}
		return r.Str, ""
	case apos.Select, apos.Date, apos.DateTime:
		return convertText(f, r)
	case apos.Integer, apos.Float:
		return convertNumber(f, r)
	case apos.Decimal:
		return convertDecimal(f, r)
	case apos.Boolean:
		return convertBool(r)
	case apos.JSON:
		return adapters.RawJSON(r.Raw), ""
	case apos.Attachment:
		return convertAttachment(r)
	}
	return nil, "invalid"
}

// convertText converts the kinds sent as a string in which "" means no
// value: a select's choice, a date, a datetime.
func convertText(f *apos.Field, r gjson.Result) (any, string) {
	switch {
	case r.Type != gjson.String:
		return nil, "invalid"
	case r.Str == "":
		return nil, ""
	}
	switch f.Kind {
	case apos.Select:
		for _, c := range f.Choices {
			if c.Value == r.Str {
				return r.Str, ""
			}
		}
	case apos.Date:
		if _, err := time.Parse(time.DateOnly, r.Str); err == nil {
			return r.Str, ""
		}
	case apos.DateTime:
		if t, err := parseDateTime(r.Str); err == nil {
			return t, ""
		}
	}
	return nil, "invalid"
}

// convertBool converts a boolean, given as one or as the strings a form
// sends ("true", "1", "false", "0", "").
func convertBool(r gjson.Result) (any, string) {
	switch {
	case r.Type == gjson.True || r.Type == gjson.False:
		return r.Bool(), ""
	case r.Type == gjson.String && (r.Str == "true" || r.Str == "1"):
		return true, ""
	case r.Type == gjson.String && (r.Str == "false" || r.Str == "0" || r.Str == ""):
		return false, ""
	}
	return nil, "invalid"
}

// numberText returns the text of a number given as a JSON number or a
// numeric string; empty is true for an empty string, which means no value.
func numberText(r gjson.Result) (text string, empty, ok bool) {
	switch r.Type {
	case gjson.String:
		text = strings.TrimSpace(r.Str)
		return text, text == "", true
	case gjson.Number:
		return r.Raw, false, true
	}
	return "", false, false
}

// convertNumber converts an integer or a float given as a JSON number or
// a numeric string; an empty string is no value.
func convertNumber(f *apos.Field, r gjson.Result) (any, string) {
	s, empty, ok := numberText(r)
	switch {
	case !ok:
		return nil, "invalid"
	case empty:
		return nil, ""
	case f.Kind == apos.Integer:
		return parseInt(f, s)
	}
	return parseFloat(s)
}

// convertDecimal converts a decimal given as a JSON number or a numeric
// string, from its text: never through a float (docs/api-rules.md#120).
// A value with more digits than the column keeps is refused, never
// rounded.
func convertDecimal(f *apos.Field, r gjson.Result) (any, string) {
	s, empty, ok := numberText(r)
	switch {
	case !ok:
		return nil, "invalid"
	case empty:
		return nil, ""
	}
	if d, ok := apos.ParseDecimal(s, f.Precision, f.Scale); ok {
		return d, ""
	}
	return nil, "invalid"
}

// parseInt parses an integer, refusing one outside the range the backend
// keeps f's values in.
func parseInt(f *apos.Field, s string) (any, string) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// 12.0 and 1e3 are integers written as floats; 12.7 is not.
		x, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return nil, "invalid"
		}
		n = int64(x)
	}
	if lo, hi := f.IntRange(); n < lo || n > hi {
		return nil, "invalid"
	}
	return n, ""
}

// parseFloat parses a float, refusing NaN and the infinities, which JSON
// cannot carry back.
func parseFloat(s string) (any, string) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, "invalid"
	}
	return x, ""
}

// dateTimeLayouts are the datetime forms accepted from clients; a form
// without a zone is UTC.
var dateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly}

// parseDateTime parses a client datetime into UTC.
func parseDateTime(s string) (time.Time, error) {
	var err error
	for _, l := range dateTimeLayouts {
		var t time.Time
		if t, err = time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// decimalMsg says what a decimal field takes, for its "invalid" error.
func decimalMsg(f *apos.Field, name string) string {
	if f.Kind != apos.Decimal || name != "invalid" {
		return ""
	}
	return fmt.Sprintf("%s takes a number of at most %d digits, %d of them after the point.", f.Name, f.Precision, f.Scale)
}
