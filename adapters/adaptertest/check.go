package adaptertest

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/aposproxy/aposproxy/adapters"
)

// apiTime is the API's datetime format.
const apiTime = "2006-01-02T15:04:05.000Z"

// iso formats a datetime as the API does.
func iso(t time.Time) string { return t.UTC().Format(apiTime) }

// SameJSON fails t unless got and want hold the same JSON value, with the
// object keys of got in the order of want's (JSON values inside json fields
// may differ in spacing and key order: engines normalize them).
func SameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("fields are not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("fields\n got %s\nwant %s", got, want)
	}
	if gk, wk := keys(got), keys([]byte(want)); !reflect.DeepEqual(gk, wk) {
		t.Fatalf("field order %v, want %v", gk, wk)
	}
}

// same is SameJSON for the fixture's records: a stamped field that want
// holds must be an API datetime in got, whatever its value.
func (s *suite) same(t *testing.T, got []byte, want string) {
	t.Helper()
	for _, name := range s.Fixture.Stamped {
		w := gjson.Get(want, name)
		if !w.Exists() {
			continue
		}
		g := gjson.GetBytes(got, name)
		if _, err := time.Parse(apiTime, g.Str); g.Type != gjson.String || err != nil {
			t.Fatalf("stamped field %s is %s, want a datetime: %s", name, g.Raw, got)
		}
		var err error
		if got, err = sjson.SetRawBytes(slices.Clone(got), name, []byte(w.Raw)); err != nil {
			t.Fatal(err)
		}
	}
	SameJSON(t, got, want)
}

// project keeps the members of a JSON object that are named, in order.
func project(obj string, names ...string) string {
	out := "{}"
	gjson.Parse(obj).ForEach(func(k, v gjson.Result) bool {
		if slices.Contains(names, k.Str) {
			out, _ = sjson.SetRaw(out, k.Str, v.Raw)
		}
		return true
	})
	return out
}

// keys lists the keys of a JSON object in order.
func keys(obj []byte) []string {
	var out []string
	gjson.ParseBytes(obj).ForEach(func(k, _ gjson.Result) bool {
		out = append(out, k.String())
		return true
	})
	return out
}

// ids lists the aposDocIds of records.
func ids(recs []adapters.Record) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r.DocID)
	}
	return out
}

// wantErr fails t unless err is target (by errors.Is).
func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

// must fails t on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// title returns the title field of a record.
func title(r *adapters.Record) string { return gjson.GetBytes(r.Fields, "title").String() }
