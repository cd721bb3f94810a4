package upstream

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/examples/inventory/service"
)

// item is one record of the inventory fixture, in the service's terms.
type item struct {
	id, language, state string
	label               string
	qty                 int64
	code, aisle         string // the warehouse
}

// serviceStamp stands for the modification time the service sets on
// every write, which the suite checks only for being a datetime.
const serviceStamp = `"set by the service"`

// inventoryItems are adaptertest's documents as inventory items (a new
// slice on each call).
func inventoryItems() []item {
	var items []item
	both := func(it item) {
		live := it
		live.state = "live"
		it.state = "draft"
		items = append(items, live, it)
	}
	both(item{id: "chair1", language: "en", label: "Red Chair", qty: 12, code: "W1", aisle: "A3"})
	both(item{id: "table2", language: "en", label: "Oak Table", qty: 3, code: "W2", aisle: "B1"})
	items[len(items)-1].label = "Oak Table (revised)"
	items = append(items, item{id: "lamp3", language: "en", state: "draft", label: "Green Lamp", qty: 0, code: "W1", aisle: "A1"})
	both(item{id: "sofa4", language: "en", label: "blue sofa", qty: 2, code: "W3", aisle: "C2"})
	both(item{id: "rug5", language: "en", label: "Rug 100% wool_blend", qty: 40, code: "W1", aisle: "D4"})
	both(item{id: "stool6", language: "en", label: "Bar Stool", qty: 7, code: "W2", aisle: "A2"})
	both(item{id: "chair1", language: "fr", label: "Chaise Rouge", qty: 12, code: "W1", aisle: "A3"})
	both(item{id: "bench7", language: "fr", label: "Banc", qty: 5, code: "W3", aisle: "C1"})
	return items
}

// fields is what the adapter reads of it.
func (it item) fields() string {
	return fmt.Sprintf(`{"title":%q,"quantity":%d,"warehouse":%q,"aisle":%q,"updatedAt":%s}`,
		it.label, it.qty, it.code, it.aisle, serviceStamp)
}

// body is the service's create body of it.
func (it item) body() []byte {
	return fmt.Appendf(nil, `{"itemId":%q,"label":%q,"qty":%d,"warehouse":{"code":%q,"aisle":%q}}`,
		it.id, it.label, it.qty, it.code, it.aisle)
}

// whWhere filters by warehouse as the proxy does for a string field; the
// service matches the whole code.
func whWhere(code string) []adapters.Filter {
	return []adapters.Filter{{Field: "warehouse", Op: adapters.OpContains, Values: []any{code}}}
}

// inventoryFixture describes inventoryItems to the suite.
func inventoryFixture() *adaptertest.Fixture {
	enDraft := apos.Scope{Locale: "en", Mode: apos.Draft}
	f := &adaptertest.Fixture{
		Schema: &apos.Schema{
			Type:      "inventory-item",
			Localized: true,
			Storage:   apos.Columns,
			Fields: []apos.Field{
				{Name: "title", Kind: apos.String, Required: true, Searchable: true},
				{Name: "quantity", Kind: apos.Integer},
				{Name: "warehouse", Kind: apos.String},
				{Name: "aisle", Kind: apos.String},
				{Name: "updatedAt", Kind: apos.DateTime, ReadOnly: true},
			},
		},
		Stamped: []string{"updatedAt"},
		NewKey:  regexp.MustCompile(`^INV-[0-9]{4}$`),
		New: []adapters.Value{
			{Field: "title", V: "Glass Vase"}, {Field: "quantity", V: int64(999)},
			{Field: "warehouse", V: "W9"}, {Field: "aisle", V: "Z1"},
		},
		NewFields: item{label: "Glass Vase", qty: 999, code: "W9", aisle: "Z1"}.fields(),
		Edit:      []adapters.Value{{Field: "quantity", V: int64(13)}, {Field: "aisle", V: "B7"}},
		Edited:    item{label: "Red Chair", qty: 13, code: "W1", aisle: "B7"}.fields(),
		Invalid: []adaptertest.Invalid{
			{Name: "no title", Value: adapters.Value{Field: "title", V: nil}, Path: "title"},
			{Name: "blank title", Value: adapters.Value{Field: "title", V: "  "}, Path: "title"},
			{Name: "negative quantity", Value: adapters.Value{Field: "quantity", V: int64(-1)}, Path: "quantity"},
		},
		Filters: []adaptertest.Case{
			{Name: "warehouse", Query: adapters.Query{Filters: whWhere("W1")}, Want: []string{"chair1", "rug5"}},
			{Name: "whole codes only", Query: adapters.Query{Filters: whWhere("W")}, Want: []string{}},
			{Name: "one of one", Query: adapters.Query{Filters: []adapters.Filter{
				{Field: "warehouse", Op: adapters.OpIn, Values: []any{"W2"}}}}, Want: []string{"stool6", "table2"}},
			{Name: "equal", Query: adapters.Query{Filters: []adapters.Filter{
				{Field: "warehouse", Op: adapters.OpEqual, Values: []any{"W3"}}}}, Want: []string{"sofa4"}},
			{Name: "drafts", Query: adapters.Query{Scope: enDraft, Filters: whWhere("W1")}, Want: []string{"chair1", "lamp3", "rug5"}},
			{Name: "other locale", Query: adapters.Query{Scope: apos.Scope{Locale: "fr", Mode: apos.Published},
				Filters: whWhere("W3")}, Want: []string{"bench7"}},
			{Name: "combined with search", Query: adapters.Query{Search: "oo", Filters: whWhere("W1")}, Want: []string{"rug5"}},
			{Name: "paged", Query: adapters.Query{Page: 2, PerPage: 1, Filters: whWhere("W1")}, Want: []string{"rug5"}, Total: 2},
			{Name: "nothing", Query: adapters.Query{Filters: whWhere("W9")}, Want: []string{}},
		},
	}
	for _, it := range inventoryItems() {
		mode := apos.Published
		if it.state == "draft" {
			mode = apos.Draft
		}
		f.Docs = append(f.Docs, adaptertest.Doc{Key: it.id, Scope: apos.Scope{Locale: it.language, Mode: mode}, Fields: it.fields()})
	}
	return f
}

// TestSuite runs the adapter behaviour suite against the in-memory
// inventory service, emptied of its own items and seeded through its API.
// The service sorts by itemId only, filters by warehouse with one value,
// searches labels with autocomplete as search, and cannot combine _ids
// with either; drafts in lists carry no modified flag (it would take a
// second list call).
func TestSuite(t *testing.T) {
	adaptertest.Run(t, adaptertest.Config{
		New: func(t *testing.T) adapters.Adapter {
			url := serve(t, service.New(testToken).Handler())
			emptyService(t, url)
			for _, it := range inventoryItems() {
				if status, body := send(t, fasthttp.MethodPost, url+"/v2/items?language="+it.language+"&state="+it.state, it.body()); status != fasthttp.StatusCreated {
					t.Fatalf("seeding %s: %d %s", it.id, status, body)
				}
			}
			return adapterAt(t, url, nil)
		},
		Fixture: inventoryFixture(),
		Caps:    adaptertest.Caps{Filters: []string{"warehouse"}},
	})
}

// emptyService deletes every item the service starts with.
func emptyService(t *testing.T, url string) {
	t.Helper()
	for _, language := range []string{"en", "fr", "de"} {
		for _, state := range []string{"draft", "live"} {
			scope := "?language=" + language + "&state=" + state
			for {
				status, body := send(t, fasthttp.MethodGet, url+"/v2/items"+scope+"&count=100", nil)
				if status != fasthttp.StatusOK {
					t.Fatalf("listing the service: %d %s", status, body)
				}
				items := gjson.GetBytes(body, "data.items").Array()
				if len(items) == 0 {
					break
				}
				for _, it := range items {
					if status, body := send(t, fasthttp.MethodDelete, url+"/v2/items/"+it.Get("itemId").Str+scope, nil); status != fasthttp.StatusNoContent {
						t.Fatalf("emptying the service: %d %s", status, body)
					}
				}
			}
		}
	}
}

// send makes one call to the service, with its token.
func send(t *testing.T, method, uri string, body []byte) (int, []byte) {
	t.Helper()
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI(uri)
	req.Header.Set("X-Api-Token", testToken)
	req.SetBody(body)
	if err := fasthttp.DoTimeout(req, resp, time.Second); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...)
}
