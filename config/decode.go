package config

import (
	"encoding"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// decoder copies a raw TOML tree (as toml.Decode gives it into a map) onto
// the config structs, strictly.
//
// It replaces toml's own reflection for three reasons: toml stops at the
// first type error, it matches keys to fields case-insensitively, and it
// names keys inside arrays of tables without their index (and with the
// line of the last element). Here every unknown key and every mistyped
// value is reported, at a path such as types.product.fields[2].kind.
//
// It supports what the config structs use: structs (keys matched exactly
// to `toml` tags, "-" skipped), pointers, maps with string keys, slices,
// strings, booleans, integers, encoding.TextUnmarshaler (given strings
// only) and toml.Unmarshaler. A field of another kind panics in every
// test that loads a configuration, until a case is added here.
type decoder struct {
	errs *errorList
}

// shortForm is a table that may also be written as one string, such as a
// filter written as its parameter's name: { warehouse = "warehouse" }. As
// a table it is decoded as any other, key by key.
type shortForm interface{ setShort(s string) }

var (
	shortFormType   = reflect.TypeFor[shortForm]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	tomlUnmarshaler = reflect.TypeFor[toml.Unmarshaler]()
)

// value stores raw, found at path, into rv.
func (d *decoder) value(path string, raw any, rv reflect.Value) {
	if rv.Kind() != reflect.Pointer && rv.CanAddr() && d.custom(path, raw, rv.Addr()) {
		return
	}
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			rv.Set(reflect.New(rv.Type().Elem()))
		}
		d.value(path, raw, rv.Elem())
	case reflect.Struct:
		d.table(path, raw, rv)
	case reflect.Map:
		d.mapping(path, raw, rv)
	case reflect.Slice:
		d.slice(path, raw, rv)
	case reflect.String:
		if s, ok := raw.(string); ok {
			rv.SetString(s)
		} else {
			d.mismatch(path, "a string", raw)
		}
	case reflect.Bool:
		if b, ok := raw.(bool); ok {
			rv.SetBool(b)
		} else {
			d.mismatch(path, "true or false", raw)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch n, ok := raw.(int64); {
		case !ok:
			d.mismatch(path, "an integer", raw)
		case rv.OverflowInt(n):
			d.errs.addf(path, "%d is out of range", n)
		default:
			rv.SetInt(n)
		}
	default:
		panic(fmt.Sprintf("config: cannot decode into %s", rv.Type()))
	}
}

// custom stores raw through p's own decoding, if it has one, and reports
// whether it did.
func (d *decoder) custom(path string, raw any, p reflect.Value) bool {
	switch {
	case p.Type().Implements(shortFormType):
		s, ok := raw.(string)
		if ok {
			p.Interface().(shortForm).setShort(s)
		}
		return ok
	case p.Type().Implements(tomlUnmarshaler):
		if err := p.Interface().(toml.Unmarshaler).UnmarshalTOML(raw); err != nil {
			d.errs.addf(path, "%v", err)
		}
		return true
	case p.Type().Implements(textUnmarshaler):
		s, ok := raw.(string)
		if !ok {
			d.mismatch(path, "a string", raw)
			return true
		}
		if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			d.errs.addf(path, "%v", err)
		}
		return true
	}
	return false
}

// table stores a TOML table into a struct; keys must match a field's toml
// tag exactly.
func (d *decoder) table(path string, raw any, rv reflect.Value) {
	m, ok := raw.(map[string]any)
	if !ok {
		d.mismatch(path, "a table", raw)
		return
	}
	fields := map[string][]int{}
	tableKeys(rv.Type(), nil, fields)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		i, ok := fields[k]
		if !ok {
			d.errs.addf(joinKey(path, k), "unknown key")
			continue
		}
		d.value(joinKey(path, k), m[k], rv.FieldByIndex(i))
	}
}

// tableKeys maps the TOML keys of struct type t to their field indexes;
// the keys of an embedded struct are its container's.
func tableKeys(t reflect.Type, prefix []int, fields map[string][]int) {
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(slices.Clone(prefix), i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			tableKeys(f.Type, index, fields)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if f.IsExported() && name != "" && name != "-" {
			fields[name] = index
		}
	}
}

// mapping stores a TOML table into a map with string keys.
func (d *decoder) mapping(path string, raw any, rv reflect.Value) {
	m, ok := raw.(map[string]any)
	if !ok {
		d.mismatch(path, "a table", raw)
		return
	}
	if rv.IsNil() {
		rv.Set(reflect.MakeMapWithSize(rv.Type(), len(m)))
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		e := reflect.New(rv.Type().Elem()).Elem()
		d.value(joinKey(path, k), m[k], e)
		rv.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), e)
	}
}

// slice stores a TOML array, or array of tables, into a slice.
func (d *decoder) slice(path string, raw any, rv reflect.Value) {
	a := reflect.ValueOf(raw)
	if a.Kind() != reflect.Slice {
		d.mismatch(path, "an array", raw)
		return
	}
	s := reflect.MakeSlice(rv.Type(), a.Len(), a.Len())
	for i := range a.Len() {
		d.value(indexKey(path, i), a.Index(i).Interface(), s.Index(i))
	}
	rv.Set(s)
}

func (d *decoder) mismatch(path, want string, raw any) {
	d.errs.addf(path, "must be %s, not %s", want, tomlType(raw))
}

// tomlType names the TOML type of a raw value for error messages.
func tomlType(raw any) string {
	switch raw.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a table"
	case []map[string]any, []any:
		return "an array"
	case time.Time:
		return "a date or time"
	}
	return fmt.Sprintf("a %T", raw)
}
