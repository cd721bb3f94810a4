package loadgen

import (
	"testing"

	"github.com/tidwall/gjson"
)

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"list=40,get=50", "list=40,get=50", true},
		{" get = 3 , write=1,", "get=3,write=1", true},
		{"get=1,get=2", "get=3", true},
		{"get=0,list=0", "", false},
		{"get", "", false},
		{"get=-1", "", false},
		{"targets=1", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			m, err := parseMix(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if tc.ok && m.String() != tc.want {
				t.Fatalf("%s, want %s", m, tc.want)
			}
		})
	}
}

func TestDraftID(t *testing.T) {
	for in, want := range map[string]string{
		"abc:en:published": "abc:en:draft",
		"abc:fr:draft":     "abc:fr:draft",
		"42":               "42",
	} {
		if got := draftID(in); got != want {
			t.Errorf("draftID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDocumentsToCopyAndFilter(t *testing.T) {
	doc := gjson.Parse(`{"_id":"P-1:en:published","aposDocId":"P-1","type":"product","title":"Oak Desk","slug":"oak-desk",
		"price":5,"color":"red","inStock":true,"a.b":1,"updatedAt":"2025-01-01T00:00:00.000Z","_edit":true}`)
	o := &options{}
	body, err := o.createBody(doc)
	if err != nil || string(body) != `{"price":5,"color":"red","inStock":true,"a.b":1}` {
		t.Fatalf("createBody: %s, %v", body, err)
	}
	for _, tc := range []struct {
		name, doc, flag, want string
	}{
		{"a boolean first", doc.Raw, "", "inStock=true"},
		{"else a short word", `{"title":"x","description":"two words","color":"blue"}`, "", "color=blue"},
		{"nothing to filter on", `{"title":"x","price":3}`, "", ""},
		{"the flag wins", doc.Raw, "price=5", "price=5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &options{filter: tc.flag}
			if got := o.filterOf(gjson.Parse(tc.doc)); got != tc.want {
				t.Fatalf("%q, want %q", got, tc.want)
			}
		})
	}
	if _, err := o.createBody(gjson.Result{}); err == nil {
		t.Fatal("no sample and no -body must be an error")
	}
}
