package adaptertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/tidwall/gjson"
)

// find returns the fixture row of key in scope s.
func find(key string, s adapters.Scope) Row {
	for _, r := range Rows() {
		if r.Key == key && r.Locale == s.Locale && r.Mode == s.Mode {
			return r
		}
	}
	panic("adaptertest: no fixture row " + key + " in " + s.Locale + ":" + string(s.Mode))
}

// fields is the JSON object an adapter must give for r, in schema order.
func (r Row) fields() string {
	str := func(s string) string {
		if s == "" {
			return "null"
		}
		return strconv.Quote(s)
	}
	attrs := r.Attributes
	if attrs == "" {
		attrs = "null"
	}
	return fmt.Sprintf(`{"title":%q,"price":%d,"color":%s,"inStock":%t,"attributes":%s,"createdAt":%q,"updatedAt":%q}`,
		r.Title, r.Price, str(r.Color), r.InStock, attrs, iso(r.CreatedAt), iso(r.UpdatedAt))
}

// iso formats a datetime as the API does.
func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

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
