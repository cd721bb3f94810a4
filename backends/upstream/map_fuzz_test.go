package upstream

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// fuzzMapping is a type with a field of every kind, at top-level and
// nested paths of the service's items, served by a service that is never
// called: FuzzRecord maps answers it is handed.
const fuzzMapping = `
[locales]
default = "en"
[[locales.list]]
name = "en"

[upstreams.svc]
url = "http://127.0.0.1:9"

[types.thing]
upstream = "svc"
key = "meta.id"
storage = "columns"
locale = { column = "lang" }
mode = { column = "state" }

[[types.thing.fields]]
name = "title"
column = "label"
[[types.thing.fields]]
name = "count"
column = "stock.qty"
kind = "integer"
[[types.thing.fields]]
name = "weight"
kind = "float"
[[types.thing.fields]]
name = "active"
kind = "boolean"
[[types.thing.fields]]
name = "day"
kind = "date"
[[types.thing.fields]]
name = "at"
column = "meta.modified"
kind = "datetime"
read_only = true
[[types.thing.fields]]
name = "color"
kind = "select"
choices = ["red", "blue"]
[[types.thing.fields]]
name = "extra"
column = "extra.data"
kind = "json"

[types.thing.service]
list = { path = "/items?lang={locale}&state={mode}" }
get = { path = "/items/{key}?lang={locale}&state={mode}" }
create = { method = "POST", path = "/items?lang={locale}&state={mode}" }
replace = { method = "PUT", path = "/items/{key}?lang={locale}&state={mode}" }
delete = { method = "DELETE", path = "/items/{key}?lang={locale}&state={mode}" }
paging = { offset = "start", limit = "count" }

[types.thing.service.response]
items = "data.items"
total = "data.total"
item = "data.item"
`

// FuzzRecord maps any service answer, as a get answer and as a list
// answer, onto records: no answer panics, one that does not fit the
// mapping is a 502 for clients, and a record's fields are always a valid
// JSON object whose _id the API can carry. Answers that are not valid
// JSON never reach the mapping (call refuses them), so they are skipped.
func FuzzRecord(f *testing.F) {
	for _, s := range []string{
		`{"data":{"item":{"meta":{"id":"A-1","modified":"2025-06-01T10:00:00Z"},"label":"Desk","stock":{"qty":3},"weight":1.5,"active":true,"day":"2025-06-01","color":"red","extra":{"data":{"a":[1]}}}}}`,
		`{"data":{"item":{"meta":{"id":42},"label":7,"stock":{"qty":"12"},"weight":"2.5","active":1,"day":"2025-06-01T00:00:00+02:00","at":null}}}`,
		`{"data":{"items":[{"meta":{"id":"a b/c"}},{"meta":{"id":"b64-x"}},{"meta":{"id":""}},{"meta":{}}],"total":4}}`,
		`{"data":{"item":{"meta":{"id":"x"},"weight":"NaN"}}}`, `{"data":{"item":{"meta":{"id":"x"},"weight":"Inf"}}}`,
		`{"data":{"item":{"meta":{"id":"x"},"weight":"0x1p-2"}}}`, `{"data":{"item":{"meta":{"id":"x"},"weight":1e400}}}`,
		`{"data":{"item":{"meta":{"id":"x"},"stock":{"qty":9223372036854775808}}}}`, `{"data":{"item":{"meta":{"id":"x"},"stock":{"qty":1e18}}}}`,
		`{"data":{"item":{"meta":{"id":"x"},"stock":{"qty":-0.0}}}}`, `{"data":{"item":{"meta":{"id":"x"},"active":"true"}}}`,
		`{"data":{"item":{"meta":{"id":"x"},"day":"0000-01-01T00:00:00+01:00","meta.modified":"9999-12-31T23:59:59-01:00"}}}`,
		`{"data":{"item":{"meta":{"id":"x"},"label":"\u0000\ud800\"","extra":{"data":"\\"}}}}`,
		"{\"data\":{\"item\":{\"meta\":{\"id\":\"\xff\"},\"label\":\"\xfe\"}}}", `{"data":{"item":[1]}}`, `{"data":{"item":"x"}}`,
		`{"data":{"item":{"meta":{"id":{"a":1}}}}}`, `{"data":{"item":{"meta":{"id":"x"},"label":{"x":1},"color":["red"]}}}`,
		`[]`, `null`, `{}`,
	} {
		f.Add([]byte(s))
	}
	a := fuzzAdapter(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		if !gjson.ValidBytes(body) || !json.Valid(body) {
			return
		}
		if item, err := a.itemOf(body); err == nil {
			checkMapped(t, a, body, item)
		} else {
			badGateway(t, body, err)
		}
		for _, item := range gjson.GetBytes(body, a.items).Array() {
			checkMapped(t, a, body, item)
		}
	})
}

// checkMapped maps one item, whole, projected and as its writable fields.
func checkMapped(t *testing.T, a *Adapter, body []byte, item gjson.Result) {
	t.Helper()
	for _, project := range [][]string{nil, {"title", "extra"}} {
		rec, err := a.record(item, enLive, project)
		if err != nil {
			badGateway(t, body, err)
			return
		}
		if !json.Valid(rec.Fields) || !gjson.ParseBytes(rec.Fields).IsObject() {
			t.Fatalf("%s: fields %s are not a JSON object", body, rec.Fields)
		}
		if id, ok := apos.ParseID(rec.DocID); !ok || id.Locale != "" {
			t.Fatalf("%s: aposDocId %q", body, rec.DocID)
		}
		if key, ok := apos.DecodeKey(rec.DocID); !ok || key != item.Get(a.keyPath).String() {
			t.Fatalf("%s: aposDocId %q does not decode to the key", body, rec.DocID)
		}
	}
	if w, err := a.writable(item); err == nil && !json.Valid(w) {
		t.Fatalf("%s: writable fields %s are not JSON", body, w)
	}
}

// badGateway checks that err is what clients see of a service that
// answered garbage: a 502, whose details stay in the log.
func badGateway(t *testing.T, body []byte, err error) {
	t.Helper()
	var e *apos.Error
	if !errors.As(err, &e) || e.Name != apos.ErrBadGateway.Name || e.Message != "" {
		t.Fatalf("%s: %T %v is not a bad gateway", body, err, err)
	}
}

// fuzzAdapter builds the adapter of fuzzMapping.
func fuzzAdapter(tb testing.TB) *Adapter {
	tb.Helper()
	cfg, err := config.Parse([]byte(fuzzMapping), ".")
	if err != nil {
		tb.Fatal(err)
	}
	c, err := NewClient("svc", cfg.Upstreams["svc"])
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	a, err := New(c, cfg.Types["thing"], Options{DefaultLocale: cfg.Locales.Default})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
