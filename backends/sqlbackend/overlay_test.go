package sqlbackend

import (
	"slices"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// openOverlay opens the shop on engine e with its articles as an overlay
// type, as the root configuration serves them.
func openOverlay(t *testing.T, e testkit.Engine) *Adapter {
	t.Helper()
	db, _ := openShop(t, e)
	typ := shopTypes(t)["article"]
	typ.Storage = "overlay"
	return mustNew(t, db, typ)
}

// TestWorkflowOverlay runs the workflow on the shop's articles, whose table
// holds the live English text only.
func TestWorkflowOverlay(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		a := openOverlay(t, e)
		testWorkflow(t, a, []adapters.Value{{Field: "title", V: "Winter oak"}, {Field: "author", V: "Ada Park"}})
	})
}

// TestOverlayReads checks the merged view: drafts over legacy rows, in
// single reads and in lists that page, sort and count across both tables.
func TestOverlayReads(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		a := openOverlay(t, e)
		ctx := t.Context()
		expectDoc(t, a, enDraft, "3", doc{found: true, title: "Five ways to light a hallway, part 3", modified: adapters.False})
		expectDoc(t, a, frDraft, "3", doc{})
		record(t)(a.Update(ctx, enDraft, "3", title("Aaa: hallways")))
		expectDoc(t, a, enDraft, "3", doc{found: true, title: "Aaa: hallways", modified: adapters.True})
		expectDoc(t, a, enPub, "3", doc{found: true, title: "Five ways to light a hallway, part 3"})
		fresh := record(t)(a.Insert(ctx, enDraft, &adapters.Insert{Values: []adapters.Value{{Field: "title", V: "Aab: a draft only"}}}))
		if fresh.DocID != "-1" {
			t.Fatalf("provisional key %q, want -1", fresh.DocID)
		}
		// The published articles by title, the one now drafted aside:
		// the drafts list them after the two drafts whose titles start
		// with "Aa".
		byTitle := []adapters.Sort{{Field: "title"}}
		pub, err := a.List(ctx, &adapters.Query{Scope: enPub, Page: 1, PerPage: 100, Sort: byTitle})
		noErr(t, err)
		rest := []string{}
		for _, r := range pub.Records {
			if r.DocID != "3" {
				rest = append(rest, r.DocID)
			}
		}
		total := len(pub.Records) + 1
		hallways := []adapters.Filter{{Field: "title", Op: adapters.OpContains, Values: []any{"hallways"}}}
		for _, tc := range []struct {
			name  string
			q     adapters.Query
			total int
			ids   []string
		}{
			{"drafts sorted by title", adapters.Query{Scope: enDraft, Page: 1, PerPage: 3, Sort: byTitle},
				total, []string{"3", "-1", rest[0]}},
			{"second page", adapters.Query{Scope: enDraft, Page: 2, PerPage: 2, Sort: byTitle},
				total, rest[0:2]},
			{"filters see the draft's text", adapters.Query{Scope: enDraft, Page: 1, PerPage: 10, Filters: hallways},
				1, []string{"3"}},
			{"published records ignore drafts", adapters.Query{Scope: enPub, Page: 1, PerPage: 10, Filters: hallways},
				0, nil},
			{"ids", adapters.Query{Scope: enDraft, Page: 1, PerPage: 10, IDs: []string{"-1", "3", "7"}},
				3, []string{"-1", "3", "7"}},
			{"count", adapters.Query{Scope: enDraft, Page: 1, PerPage: 10, CountOnly: true}, total, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := a.List(ctx, &tc.q)
				noErr(t, err)
				var ids []string
				for _, r := range p.Records {
					ids = append(ids, r.DocID)
					want := adapters.False
					if r.DocID == "3" || r.DocID == "-1" {
						want = adapters.True
					}
					if r.Modified != want {
						t.Errorf("%s modified %v, want %v", r.DocID, r.Modified, want)
					}
				}
				if p.Total != tc.total || !slices.Equal(ids, tc.ids) {
					t.Fatalf("got %v total %d, want %v total %d", ids, p.Total, tc.ids, tc.total)
				}
			})
		}
		t.Run("choices count drafts", func(t *testing.T) {
			got, err := a.Distinct(ctx, &adapters.Query{Scope: enDraft}, "author")
			noErr(t, err)
			n := 0
			for _, c := range got {
				n += c.Count
			}
			if n != total-1 { // the draft without an author is left out
				t.Fatalf("counts %v", got)
			}
		})
	})
}

// TestOverlayConflict changes a legacy row behind the proxy's back: the
// draft made from the old row is not published over it unless forced.
func TestOverlayConflict(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		a := openOverlay(t, e)
		ctx := t.Context()
		record(t)(a.Update(ctx, enDraft, "2", title("Our new workshop, revised")))
		exec(t, a.db, "UPDATE articles SET author = ? WHERE id = ?", "Legacy App", 2)
		_, err := a.Publish(ctx, "en", "2", adapters.PublishOptions{})
		wantErr(t, err, apos.ErrConflict)
		expectDoc(t, a, enPub, "2", doc{found: true, title: "Our new workshop, part 2"})
		rec := record(t)(a.Publish(ctx, "en", "2", adapters.PublishOptions{Force: true}))
		checkRecord(t, rec, doc{found: true, title: "Our new workshop, revised", modified: adapters.False})
		pub := record(t)(a.Get(ctx, enPub, "2"))
		if got := gjson.GetBytes(pub.Fields, "author").Str; got != "Mira Sato" {
			t.Fatalf("forced publish wrote author %q, want the draft's", got)
		}
		// A draft made after the change publishes without force.
		exec(t, a.db, "UPDATE articles SET body = ? WHERE id = ?", "<p>Changed.</p>", 2)
		record(t)(a.Update(ctx, enDraft, "2", title("Our new workshop, third take")))
		record(t)(a.Publish(ctx, "en", "2", adapters.PublishOptions{}))
		// A change of the legacy row made through the proxy is no
		// conflict.
		record(t)(a.Update(ctx, enDraft, "2", title("Our new workshop, fourth take")))
		record(t)(a.Update(ctx, enPub, "2", title("Our new workshop, edited live")))
		record(t)(a.Publish(ctx, "en", "2", adapters.PublishOptions{}))
		expectDoc(t, a, enPub, "2", doc{found: true, title: "Our new workshop, fourth take"})
		// A legacy row deleted behind the proxy's back is a conflict too.
		record(t)(a.Update(ctx, enDraft, "4", title("Hallways again")))
		exec(t, a.db, "DELETE FROM articles WHERE id = ?", 4)
		_, err = a.Publish(ctx, "en", "4", adapters.PublishOptions{})
		wantErr(t, err, apos.ErrConflict)
	})
}
