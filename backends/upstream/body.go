package upstream

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// newBody renders the body of a create: the document's id (when the
// client chose one, or always for a group), the locale and mode fields
// (when the item has them), and values.
func (a *Adapter) newBody(key string, s apos.Scope, values []adapters.Value) ([]byte, error) {
	body := []byte("{}")
	var err error
	if key != "" {
		if body, err = sjson.SetBytes(body, a.idPath(), key); err != nil {
			return nil, err
		}
	}
	v := a.vars(s)
	if a.localePath != "" && a.schema.Localized {
		if body, err = sjson.SetBytes(body, a.localePath, v.locale); err != nil {
			return nil, err
		}
	}
	if a.modePath != "" && a.columns {
		if body, err = sjson.SetBytes(body, a.modePath, v.mode); err != nil {
			return nil, err
		}
	}
	return a.merge(body, values)
}

// mergeOptions let sjson write over a value in place when the new one fits;
// merge owns the item it writes into.
var mergeOptions = &sjson.Options{Optimistic: true, ReplaceInPlace: true}

// merge writes values into a service item at their fields' paths, keeping
// everything else the item holds. It may change item in place.
func (a *Adapter) merge(item []byte, values []adapters.Value) ([]byte, error) {
	var raw []byte
	for _, v := range values {
		f := a.field(v.Field)
		if f == nil {
			return nil, fmt.Errorf("upstream %s: %s has no field %q", a.c.name, a.schema.Type, v.Field)
		}
		var err error
		if raw, err = appendWrite(raw[:0], v.V); err != nil {
			return nil, fmt.Errorf("upstream %s: field %s: %w", a.c.name, v.Field, err)
		}
		if item, err = sjson.SetRawBytesOptions(item, f.path, raw, mergeOptions); err != nil {
			return nil, fmt.Errorf("upstream %s: field %s: %w", a.c.name, v.Field, err)
		}
	}
	return item, nil
}

// appendWrite renders a value typed as adapters.Value documents in JSON.
// Datetimes go out as RFC 3339 in UTC, without a fraction when it is zero.
func appendWrite(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return gjson.AppendJSONString(dst, v), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%v is not a JSON number", v)
		}
		return strconv.AppendFloat(dst, v, 'g', -1, 64), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case time.Time:
		return append(v.UTC().AppendFormat(append(dst, '"'), time.RFC3339Nano), '"'), nil
	case adapters.RawJSON:
		return append(dst, v...), nil
	}
	return nil, fmt.Errorf("cannot write a %T", v)
}

// field returns the mapping of the API field name, or nil.
func (a *Adapter) field(name string) *field {
	for i := range a.fields {
		if a.fields[i].name == name {
			return &a.fields[i]
		}
	}
	return nil
}
