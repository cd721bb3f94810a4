package proxy

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// testType is a product-like type for the front end's pure functions.
func testType() *docType {
	s := &apos.Schema{Type: "product", Localized: true, Storage: apos.Columns, Fields: []apos.Field{
		{Name: "title", Kind: apos.String, Required: true, Searchable: true},
		{Name: "price", Kind: apos.Integer},
		{Name: "weight", Kind: apos.Float},
		{Name: "color", Kind: apos.Select, Choices: []apos.Choice{{Value: "red", Label: "Red"}}},
		{Name: "inStock", Kind: apos.Boolean},
		{Name: "attributes", Kind: apos.JSON},
		{Name: "publishedOn", Kind: apos.Date},
		{Name: "updatedAt", Kind: apos.DateTime, ReadOnly: true, Auto: apos.AutoUpdate},
	}}
	d := &docType{name: "product", schema: s, fields: map[string]*apos.Field{}, perPage: 50, maxPerPage: 1000}
	for i := range s.Fields {
		d.fields[s.Fields[i].Name] = &s.Fields[i]
	}
	return d
}

func TestConvert(t *testing.T) {
	d := testType()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		body    string
		w       write
		want    map[string]any
		wantErr []string // paths of field errors
	}{
		{name: "full insert", body: `{"title":"A","price":"42","weight":1.5,"color":"red","inStock":true,"attributes":{"a":[1]},"publishedOn":"2025-04-17"}`,
			w: writeInsert, want: map[string]any{"title": "A", "price": int64(42), "weight": 1.5, "color": "red", "inStock": true, "publishedOn": "2025-04-17", "updatedAt": now}},
		{name: "absent fields are empty", body: `{"title":"A"}`, w: writeReplace,
			want: map[string]any{"price": nil, "color": nil, "inStock": false, "attributes": nil}},
		{name: "document keys are ignored", body: `{"title":"A","_id":"x:en:draft","slug":"s","type":"product","updatedAt":"x","_edit":true}`, w: writeReplace,
			want: map[string]any{"title": "A"}},
		{name: "integral float is an integer", body: `{"title":"A","price":12.0}`, w: writeInsert, want: map[string]any{"price": int64(12)}},
		{name: "every bad field at once", body: `{"price":12.5,"weight":"x","color":"purple","inStock":"maybe","publishedOn":"2025-13-01","nosuch":1,"attributes":null}`,
			w: writeInsert, wantErr: []string{"nosuch", "title", "price", "weight", "color", "inStock", "publishedOn"}},
		{name: "strings are not numbers", body: `{"title":5}`, w: writeInsert, wantErr: []string{"title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, err := d.convert(gjson.Parse(tt.body), tt.w, nil, stamp{now: now})
			if tt.wantErr != nil {
				var v *apos.ValidationError
				if !errors.As(err, &v) {
					t.Fatalf("err = %v, want a validation error", err)
				}
				var paths []string
				for _, f := range v.Fields {
					paths = append(paths, f.Path)
				}
				if len(paths) != len(tt.wantErr) {
					t.Fatalf("error paths %v, want %v", paths, tt.wantErr)
				}
				for i := range paths {
					if paths[i] != tt.wantErr[i] {
						t.Fatalf("error paths %v, want %v", paths, tt.wantErr)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for _, v := range vals {
				got[v.Field] = v.V
			}
			for k, want := range tt.want {
				g, ok := got[k]
				if !ok {
					t.Fatalf("%s missing from %v", k, got)
				}
				if raw, isRaw := g.(adapters.RawJSON); isRaw {
					g = string(raw)
				}
				if want != nil && g != want || want == nil && g != nil {
					t.Fatalf("%s = %#v, want %#v", k, g, want)
				}
			}
		})
	}
}

func TestApplyPatch(t *testing.T) {
	d := testType()
	doc := `{"title":"A","price":1,"attributes":{"tags":["x","y"],"items":[{"_id":"a"},{"_id":"b"}]}}`
	tests := []struct {
		name, body, path, want string
		wantErr                string
	}{
		{name: "plain key", body: `{"price":2}`, path: "price", want: "2"},
		{name: "dot path", body: `{"attributes.tags.1":"z"}`, path: "attributes.tags", want: `["x","z"]`},
		{name: "push", body: `{"$push":{"attributes.tags":"z"}}`, path: "attributes.tags", want: `["x","y","z"]`},
		{name: "push each position", body: `{"$push":{"attributes.tags":{"$each":["a","b"],"$position":1}}}`, path: "attributes.tags", want: `["x","a","b","y"]`},
		{name: "push each after id", body: `{"$push":{"attributes.items":{"$each":[{"_id":"c"}],"$after":"a"}}}`, path: "attributes.items.#._id", want: `["a","c","b"]`},
		{name: "push each before id", body: `{"$push":{"attributes.items":{"$each":[{"_id":"c"},{"_id":"d"}],"$before":"b"}}}`, path: "attributes.items.#._id", want: `["a","c","d","b"]`},
		{name: "push each at the end", body: `{"$push":{"attributes.tags":{"$each":["z"],"$position":9}}}`, path: "attributes.tags", want: `["x","y","z"]`},
		{name: "push onto a missing array", body: `{"$push":{"attributes.none":"z"}}`, path: "attributes.none", want: `["z"]`},
		{name: "pullAll deep-equal values", body: `{"$pullAll":{"attributes.items":[{"_id":"b"}]}}`, path: "attributes.items.#._id", want: `["a"]`},
		{name: "pullAll", body: `{"$pullAll":{"attributes.tags":["x"]}}`, path: "attributes.tags", want: `["y"]`},
		{name: "pullAllById", body: `{"$pullAllById":{"attributes.items":["a"]}}`, path: "attributes.items.#._id", want: `["b"]`},
		{name: "push wins over pullAll", body: `{"$push":{"attributes.tags":"z"},"$pullAll":{"attributes.tags":["x"]}}`, path: "attributes.tags", want: `["x","y","z"]`},
		{name: "_patches in order", body: `{"_patches":[{"price":5},{"price":6}]}`, path: "price", want: "6"},
		{name: "push onto a non-array", body: `{"$push":{"title":"z"}}`, wantErr: "not an array"},
		{name: "path into a scalar", body: `{"attributes.tags.0.deep":1}`, wantErr: "invalid"},
		{name: "path into a non-json field", body: `{"title.x":1}`, wantErr: "invalid"},
		{name: "gjson syntax refused", body: `{"attributes.#":1}`, wantErr: "invalid"},
		{name: "unknown field", body: `{"toString.call":1}`, wantErr: "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := d.applyPatch(t.Context(), newPatchLimits(0), []byte(doc), gjson.Parse(tt.body))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("no error, got %s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := gjson.GetBytes(out, tt.path).Raw; got != tt.want {
				t.Fatalf("%s = %s, want %s", tt.path, got, tt.want)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	d := testType()
	tests := []struct {
		query   string
		check   func(*listRequest) bool
		wantErr bool
	}{
		{query: "page=2&perPage=5000", check: func(l *listRequest) bool { return l.q.Page == 2 && l.q.PerPage == 1000 }},
		{query: "perPage=junk&page=-3", check: func(l *listRequest) bool { return l.q.Page == 1 && l.q.PerPage == 50 }},
		{query: "sort[price]=-1&sort[title]=1", check: func(l *listRequest) bool {
			return len(l.q.Sort) == 2 && l.q.Sort[0].Desc && l.q.Sort[1].Field == "title"
		}},
		{query: "page=9223372036854775807", wantErr: true},
		{query: "page=99999999999999999999", wantErr: true},
		{query: "page=9223372036854776&perPage=1000", wantErr: true},
		{query: "perPage=1000&page=9223372036854775", check: func(l *listRequest) bool { return l.q.Page == 9223372036854775 }},
		{query: "page=-99999999999999999999", check: func(l *listRequest) bool { return l.q.Page == 1 }},
		{query: "sort[nosuch]=1", wantErr: true},
		{query: "sort[price]=up", wantErr: true},
		{query: "price[]=1&price[]=9", check: func(l *listRequest) bool { return l.q.Filters[0].Op == adapters.OpRange }},
		{query: "price=1%20OR%201=1", wantErr: true},
		{query: "color=purple", check: func(l *listRequest) bool { return len(l.q.Filters) == 0 }},
		{query: "inStock=any", check: func(l *listRequest) bool { return len(l.q.Filters) == 0 }},
		{query: "inStock=no", check: func(l *listRequest) bool { return l.q.Filters[0].Values[0] == false }},
		{query: "_ids[]=b:fr:draft&_ids[]=a&_ids[]=bad'id", check: func(l *listRequest) bool {
			return len(l.q.IDs) == 2 && l.idScope.Locale == "fr" && l.q.IDs[1] == "a"
		}},
		{query: "choices=color,price&counts=title", check: func(l *listRequest) bool { return l.counts && len(l.choices) == 3 }},
		{query: "project[title]=1", check: func(l *listRequest) bool {
			return len(l.q.Project) == 1 && l.project.keeps("title") && !l.project.keeps("price")
		}},
		{query: "autocomplete=", check: func(l *listRequest) bool { return l.q.IDs != nil && len(l.q.IDs) == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var args = parseArgs(tt.query)
			lr, err := d.parseList(args)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil || !tt.check(lr) {
				t.Fatalf("got %+v, %v", lr, err)
			}
		})
	}
}

// TestIntegerRange: a field whose backend keeps 32-bit integers refuses
// values outside that range in writes and filters, naming the field.
func TestIntegerRange(t *testing.T) {
	d := testType()
	d.fields["price"].Min, d.fields["price"].Max = math.MinInt32, math.MaxInt32
	for _, body := range []string{`{"title":"A","price":2147483648}`, `{"title":"A","price":"-2147483649"}`, `{"title":"A","price":3e9}`} {
		_, err := d.convert(gjson.Parse(body), writeInsert, nil, stamp{})
		var v *apos.ValidationError
		if !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Path != "price" || v.Fields[0].Name != "invalid" {
			t.Errorf("%s: err = %v, want invalid price", body, err)
		}
	}
	if _, err := d.convert(gjson.Parse(`{"title":"A","price":2147483647}`), writeInsert, nil, stamp{}); err != nil {
		t.Errorf("the largest int4: %v", err)
	}
	for _, q := range []string{"price=2147483648", "price[]=1&price[]=2147483648", "price=-2147483649"} {
		_, err := d.parseList(parseArgs(q))
		if !errors.Is(err, apos.ErrInvalid) || !strings.Contains(err.Error(), "price") {
			t.Errorf("%s: err = %v, want invalid naming price", q, err)
		}
	}
	if _, err := d.parseList(parseArgs("price[]=-2147483648&price[]=2147483647")); err != nil {
		t.Errorf("the int4 range: %v", err)
	}
	if lo, hi := testType().fields["price"].IntRange(); lo != math.MinInt64 || hi != math.MaxInt64 {
		t.Errorf("an unbounded field's range: %d to %d", lo, hi)
	}
}
