package adaptertest

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// Fixture describes a backend's copy of the documents (see the package
// doc) in its own fields, and the values the suite writes to it.
type Fixture struct {
	// Schema is what the adapter must describe: a localized type with
	// columns storage whose first field is title.
	Schema *apos.Schema
	// Docs are the documents as the adapter must read them: one per key,
	// locale and mode of the package doc, Fields in schema order.
	Docs []Doc
	// Stamped names the fields the backend sets itself on every write,
	// such as a service's modification time: they can be neither seeded
	// nor foreseen, so the suite checks that they hold an API datetime
	// where expected, not which. Expectations hold any value for them.
	Stamped []string
	// NewKey matches the keys the backend makes for documents created
	// without one.
	NewKey *regexp.Regexp
	// New are the values of a new document (as the proxy writes them,
	// auto fields included), and NewFields what reading it back gives.
	New       []adapters.Value
	NewFields string
	// Edit changes some fields of chair1 other than title; Edited is the
	// published chair1's fields after it.
	Edit   []adapters.Value
	Edited string
	// Invalid are values the backend refuses, each on its own.
	Invalid []Invalid
	// Sorts, Filters and Distinct are the fixture's cases of the optional
	// list features: the suite runs those the adapter's Caps declare, and
	// fails when a case uses a feature Caps leaves out.
	Sorts    []Case
	Filters  []Case
	Distinct []DistinctCase
}

// Doc is one record of a fixture.
type Doc struct {
	Key    string
	Scope  apos.Scope
	Fields string // the JSON object the adapter reads
}

// Invalid is a value the backend refuses, and the API field its
// ValidationError must name.
type Invalid struct {
	Name  string
	Value adapters.Value
	Path  string
}

// Case is one list query and the keys it gives, in order. A zero
// Query.Scope is en published; zero paging is the proxy's default (page 1
// of 50).
type Case struct {
	Name  string
	Query adapters.Query
	Want  []string
	// Total is the expected total when it is not len(Want).
	Total int
}

// DistinctCase is one Distinct call and what it gives.
type DistinctCase struct {
	Name  string
	Query adapters.Query // as in Case
	Field string
	Want  []adapters.Counted
}

// The scopes of the documents: the shop's two locales, published and
// draft.
var (
	EnPub   = apos.Scope{Locale: "en", Mode: apos.Published}
	EnDraft = apos.Scope{Locale: "en", Mode: apos.Draft}
	FrPub   = apos.Scope{Locale: "fr", Mode: apos.Published}
	FrDraft = apos.Scope{Locale: "fr", Mode: apos.Draft}
)

// planned is one record of the documents every fixture holds.
type planned struct {
	key   string
	scope apos.Scope
	title string
}

// plan lists the documents of the package doc.
var plan = []planned{
	{"chair1", EnPub, "Red Chair"}, {"chair1", EnDraft, "Red Chair"},
	{"table2", EnPub, "Oak Table"}, {"table2", EnDraft, "Oak Table (revised)"},
	{"lamp3", EnDraft, "Green Lamp"},
	{"sofa4", EnPub, "blue sofa"}, {"sofa4", EnDraft, "blue sofa"},
	{"rug5", EnPub, "Rug 100% wool_blend"}, {"rug5", EnDraft, "Rug 100% wool_blend"},
	{"stool6", EnPub, "Bar Stool"}, {"stool6", EnDraft, "Bar Stool"},
	{"chair1", FrPub, "Chaise Rouge"}, {"chair1", FrDraft, "Chaise Rouge"},
	{"bench7", FrPub, "Banc"}, {"bench7", FrDraft, "Banc"},
}

// doc returns the fixture's record of key in scope s.
func (f *Fixture) doc(key string, s apos.Scope) Doc {
	for _, d := range f.Docs {
		if d.Key == key && d.Scope == s {
			return d
		}
	}
	panic("adaptertest: no fixture record " + key + " in " + s.Locale + ":" + string(s.Mode))
}

// problems lists how f strays from the documents of the package doc, so
// that a suite run on a wrong fixture fails for that reason, not later.
func (f *Fixture) problems() []string {
	var out []string
	if f.Schema == nil || len(f.Schema.Fields) == 0 || f.Schema.Fields[0].Name != "title" {
		return []string{"the schema's first field must be title"}
	}
	if len(f.Docs) != len(plan) {
		out = append(out, fmt.Sprintf("%d records, want %d", len(f.Docs), len(plan)))
	}
	for _, p := range plan {
		i := slices.IndexFunc(f.Docs, func(d Doc) bool { return d.Key == p.key && d.Scope == p.scope })
		if i < 0 {
			out = append(out, fmt.Sprintf("no record %s in %+v", p.key, p.scope))
			continue
		}
		fields := gjson.Parse(f.Docs[i].Fields)
		if got := fields.Get("title").String(); !fields.IsObject() || got != p.title {
			out = append(out, fmt.Sprintf("%s in %+v is titled %q, want %q", p.key, p.scope, got, p.title))
		}
	}
	if len(out) > 0 {
		return out
	}
	// Drafts equal their published records in what clients write, but for
	// table2's title.
	for _, d := range f.Docs {
		if d.Scope.Mode != apos.Draft || d.Key == "lamp3" {
			continue
		}
		pub := f.doc(d.Key, apos.Scope{Locale: d.Scope.Locale, Mode: apos.Published})
		for _, fld := range f.Schema.Fields[1:] {
			if fld.ReadOnly || fld.Auto != apos.AutoNone {
				continue
			}
			if a, b := gjson.Get(d.Fields, fld.Name).Raw, gjson.Get(pub.Fields, fld.Name).Raw; a != b {
				out = append(out, fmt.Sprintf("draft %s differs from its published record in %s", d.Key, fld.Name))
			}
		}
	}
	return out
}
