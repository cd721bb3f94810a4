package proxy

import (
	"strings"
	"time"

	"encoding/json"
	"strconv"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte { return gjson.AppendJSONString(dst, s) }

// appendInt appends n as a JSON number.
func appendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// appendAny appends v, the rarely used error data, with encoding/json; nil
// becomes {} as in Apostrophe's error envelope.
func appendAny(dst []byte, v map[string]any) []byte {
	if len(v) == 0 {
		return append(dst, "{}"...)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "{}"...)
	}
	return append(dst, b...)
}

// appendValue appends a typed field value (as adapters return them).
func appendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendString(dst, v)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case float64:
		return strconv.AppendFloat(dst, v, 'f', -1, 64)
	case bool:
		return strconv.AppendBool(dst, v)
	case time.Time:
		return appendString(dst, v.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

// choiceLabel is the label of a distinct value: the select choice's label,
// or the value itself as text.
func choiceLabel(f *apos.Field, v any) string {
	if s, ok := v.(string); ok {
		for _, c := range f.Choices {
			if c.Value == s {
				return c.Label
			}
		}
		return s
	}
	b := appendValue(nil, v)
	return strings.Trim(string(b), `"`)
}
