package sqlbackend

import (
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// lastPublished is the lastPublishedAt member of rec ("absent" without
// one), as its JSON.
func lastPublished(rec *adapters.Record) string {
	m := gjson.Get("{"+string(rec.Extra)+"}", memberLastPublished)
	if !m.Exists() {
		return "absent"
	}
	return m.Raw
}

// TestLastPublishedLegacy checks lastPublishedAt on records the proxy
// never published (docs/api-rules.md#25): published records and the drafts
// of published documents carry their published row's updatedAt, in single
// reads and lists; drafts never published carry none; the store's own
// member wins once the proxy publishes or unpublishes.
func TestLastPublishedLegacy(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		_, types := openShop(t, e)
		p := types["product"]
		for _, s := range []apos.Scope{enPub, enDraft, frPub, frDraft} {
			page, err := p.List(t.Context(), &adapters.Query{Scope: s, Page: 1, PerPage: 1000})
			noErr(t, err)
			for _, r := range page.Records {
				got := lastPublished(&r)
				pub, err := p.Get(t.Context(), apos.Scope{Locale: s.Locale, Mode: apos.Published}, r.DocID)
				want := "absent" // a draft never published
				if err == nil {
					want = `"` + gjson.GetBytes(pub.Fields, "updatedAt").Str + `"`
				}
				if got != want {
					t.Fatalf("%s %v: lastPublishedAt %s, want %s", r.DocID, s, got, want)
				}
				if one := lastPublished(record(t)(p.Get(t.Context(), s, r.DocID))); one != got {
					t.Fatalf("%s %v: read alone %s, listed %s", r.DocID, s, one, got)
				}
			}
		}
		// P-1027's draft was revised: it takes its published record's.
		expectDoc(t, p, enDraft, "P-1027", doc{found: true, modified: adapters.True,
			extra: []string{memberLastPublished, "2025-05-18T17:52:00.000Z"}})
		rec := record(t)(p.Unpublish(t.Context(), "en", "P-1027"))
		checkRecord(t, rec, doc{found: true, extra: []string{memberLastPublished, "null"}})
		rec = record(t)(p.Publish(t.Context(), "en", "P-1027", adapters.PublishOptions{}))
		if got := lastPublished(rec); got == "null" || got == `"2025-05-18T17:52:00.000Z"` {
			t.Fatalf("after publishing: %s", got)
		}
	})
}

// TestLastPublishedSources checks where lastPublishedAt comes from: the
// type's last_published_at field or unmapped column, else the epoch; an
// unlocalized type has none.
func TestLastPublishedSources(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		db, types := openShop(t, e)
		for _, tc := range []struct {
			typ, source string
			s           apos.Scope
			docID, want string
		}{
			{"article", "", enPub, "9", `"1970-01-01T00:00:00.000Z"`},
			{"article", "", enDraft, "9", `"1970-01-01T00:00:00.000Z"`},
			{"article", "publishedOn", enPub, "9", `"2025-01-15T00:00:00.000Z"`},
			{"article", "published_on", enDraft, "9", `"2025-01-15T00:00:00.000Z"`},
			{"product", "createdAt", enPub, "P-1001", `"2024-01-05T09:14:00.000Z"`},
			{"product", "created_at", enDraft, "P-1001", `"2024-01-05T09:14:00.000Z"`},
			{"product", "created_at", frPub, "P-1009", `"2024-03-09T09:24:00.000Z"`},
		} {
			typ := shopTypes(t)[tc.typ]
			typ.LastPublishedAt = tc.source
			a := mustNew(t, db, typ)
			if got := lastPublished(record(t)(a.Get(t.Context(), tc.s, tc.docID))); got != tc.want {
				t.Errorf("%s %s from %q: %s, want %s", tc.typ, tc.docID, tc.source, got, tc.want)
			}
			page, err := a.List(t.Context(), &adapters.Query{Scope: tc.s, Page: 1, PerPage: 100, IDs: []string{tc.docID}})
			noErr(t, err)
			if got := lastPublished(&page.Records[0]); got != tc.want {
				t.Errorf("%s %s from %q, listed: %s, want %s", tc.typ, tc.docID, tc.source, got, tc.want)
			}
		}
		if got := lastPublished(record(t)(types["category"].Get(t.Context(), apos.Scope{Mode: apos.Published}, "3"))); got != "absent" {
			t.Errorf("unlocalized category: %s", got)
		}
	})
}
