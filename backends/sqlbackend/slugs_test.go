package sqlbackend

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// slugsOf lists every record of scope s and returns their slugs by
// aposDocId, failing on a record without one or a slug given twice.
func slugsOf(t *testing.T, a *Adapter, s apos.Scope) map[string]string {
	t.Helper()
	p, err := a.List(t.Context(), &adapters.Query{Scope: s, Page: 1, PerPage: 1000})
	noErr(t, err)
	out := map[string]string{}
	seen := map[string]string{}
	for _, r := range p.Records {
		slug := string(r.Slug)
		if slug == "" {
			t.Fatalf("%s %v has no slug", r.DocID, s)
		}
		if other, dup := seen[slug]; dup {
			t.Fatalf("%v: %s and %s share the slug %q", s, other, r.DocID, slug)
		}
		seen[slug], out[r.DocID] = r.DocID, slug
	}
	return out
}

// slugOf reads the slug of one record.
func slugOf(t *testing.T, a *Adapter, s apos.Scope, docID string) string {
	t.Helper()
	rec, err := a.Get(t.Context(), s, docID)
	noErr(t, err)
	return string(rec.Slug)
}

// bySlug lists the records of scope s whose slug is one of slugs.
func bySlug(t *testing.T, a *Adapter, s apos.Scope, slugs ...any) []string {
	t.Helper()
	q := &adapters.Query{Scope: s, Page: 1, PerPage: 100,
		Filters: []adapters.Filter{{Field: apos.SlugField, Op: adapters.OpIn, Values: slugs}}}
	p, err := a.List(t.Context(), q)
	noErr(t, err)
	var ids []string
	for _, r := range p.Records {
		ids = append(ids, r.DocID)
	}
	return ids
}

// setSlug is a change that sets the slug (and the title, when given).
func setSlug(slug string, title ...string) adapters.Change {
	return func(*adapters.Record) ([]adapters.Value, error) {
		vals := []adapters.Value{{Field: apos.SlugField, V: slug}}
		for _, t := range title {
			vals = append(vals, adapters.Value{Field: "title", V: t})
		}
		return vals, nil
	}
}

// TestSlugsShop checks the slugs of the shop's legacy rows, which have
// none: each record is given one, unique per locale and mode, shared by
// a document's draft and published records, in key order so that every
// engine and instance agrees (docs/api-rules.md#25).
func TestSlugsShop(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		_, types := openShop(t, e)
		p := types["product"]
		slugs := map[apos.Scope]map[string]string{}
		for _, s := range []apos.Scope{enPub, enDraft, frPub, frDraft} {
			slugs[s] = slugsOf(t, p, s)
		}
		for id, slug := range slugs[enPub] {
			if d, ok := slugs[enDraft][id]; ok && d != slug {
				t.Errorf("%s: draft slug %q, published %q", id, d, slug)
			}
		}
		// P-1027's draft was retitled "Bright Desk (revised)": it keeps
		// its published record's slug.
		if got := slugs[enDraft]["P-1027"]; got != "bright-desk" {
			t.Errorf("P-1027 draft slug %q, want bright-desk", got)
		}
		// Three published products are called Classic Table: they take
		// the slug in key order.
		var classic []string
		for id, slug := range slugs[enPub] {
			if strings.HasPrefix(slug, "classic-table") && len(slug) <= len("classic-table1") {
				classic = append(classic, id)
			}
		}
		sort.Strings(classic)
		for i, id := range classic {
			want := "classic-table"
			if i > 0 {
				want += fmt.Sprint(i)
			}
			if slugs[enPub][id] != want {
				t.Errorf("%s: slug %q, want %q (keys %v)", id, slugs[enPub][id], want, classic)
			}
		}
		if len(classic) != 3 {
			t.Fatalf("classic tables %v, want 3", classic)
		}
		if got := bySlug(t, p, enPub, "classic-table1"); !slices.Equal(got, classic[1:2]) {
			t.Errorf("slug filter found %v, want %v", got, classic[1:2])
		}
		if got := bySlug(t, p, frPub, "classic-table1"); len(got) != 0 {
			t.Errorf("slug filter in fr found %v, want none", got)
		}
		testSlugSort(t, p, enDraft)
		testSlugFields(t, p)
	})
}

// testSlugSort checks sort by slug, both ways, bytewise on every engine.
func testSlugSort(t *testing.T, a *Adapter, s apos.Scope) {
	t.Helper()
	for _, desc := range []bool{false, true} {
		p, err := a.List(t.Context(), &adapters.Query{Scope: s, Page: 1, PerPage: 1000,
			Sort: []adapters.Sort{{Field: apos.SlugField, Desc: desc}}})
		noErr(t, err)
		var got []string
		for _, r := range p.Records {
			got = append(got, string(r.Slug))
		}
		want := slices.Clone(got)
		slices.Sort(want)
		if desc {
			slices.Reverse(want)
		}
		if !slices.Equal(got, want) || len(got) != p.Total {
			t.Errorf("sort desc=%v: %v", desc, got)
		}
	}
}

// testSlugFields checks that projected lists read the slug only when it
// is asked for.
func testSlugFields(t *testing.T, a *Adapter) {
	t.Helper()
	for _, tc := range []struct {
		project []string
		want    bool
	}{{[]string{"title"}, false}, {[]string{"title", apos.SlugField}, true}, {[]string{apos.SlugField}, true}} {
		p, err := a.List(t.Context(), &adapters.Query{Scope: enPub, Page: 1, PerPage: 3, Project: tc.project})
		noErr(t, err)
		for _, r := range p.Records {
			if (r.Slug != nil) != tc.want {
				t.Errorf("project %v: slug %q", tc.project, r.Slug)
			}
		}
	}
}

// TestSlugsWrites checks how writes keep slugs: stable across title edits,
// set by a client and made unique with the smallest free number, copied by
// publishing, reverting and localizing, freed by deletion.
func TestSlugsWrites(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		_, types := openShop(t, e)
		p := types["product"]
		ctx := t.Context()
		id := "P-1001" // Nordic Sofa
		record(t)(p.Update(ctx, enDraft, id, title("Nordic Sofa, renamed")))
		if got := slugOf(t, p, enDraft, id); got != "nordic-sofa" {
			t.Fatalf("slug after a title edit %q, want nordic-sofa", got)
		}
		// Bright Lamp is taken by P-1023 in both modes.
		rec := record(t)(p.Update(ctx, enDraft, id, setSlug("bright-lamp")))
		if string(rec.Slug) != "bright-lamp1" || rec.Modified != adapters.True {
			t.Fatalf("patched slug %q modified %v, want bright-lamp1 true", rec.Slug, rec.Modified)
		}
		if got := slugOf(t, p, enPub, id); got != "nordic-sofa" {
			t.Fatalf("published slug %q changed with the draft's", got)
		}
		rec = record(t)(p.Update(ctx, enDraft, id, setSlug("")))
		if string(rec.Slug) != "nordic-sofa-renamed" {
			t.Fatalf("an empty slug gives %q, want the title's", rec.Slug)
		}
		rec = record(t)(p.Publish(ctx, "en", id, adapters.PublishOptions{}))
		if string(rec.Slug) != "nordic-sofa-renamed" || rec.Modified != adapters.False {
			t.Fatalf("published draft slug %q modified %v", rec.Slug, rec.Modified)
		}
		if got := bySlug(t, p, enPub, "nordic-sofa-renamed"); !slices.Equal(got, []string{id}) {
			t.Fatalf("published slug not found: %v", got)
		}
		record(t)(p.Update(ctx, enDraft, id, setSlug("sofa")))
		rec = record(t)(p.RevertDraftToPublished(ctx, "en", id))
		if string(rec.Slug) != "nordic-sofa-renamed" || rec.Modified != adapters.False {
			t.Fatalf("reverted draft slug %q modified %v", rec.Slug, rec.Modified)
		}
		testSlugInserts(t, p)
		testSlugLocalize(t, p)
	})
}

// testSlugInserts checks new documents' slugs and deletion.
func testSlugInserts(t *testing.T, p *Adapter) {
	t.Helper()
	ctx := t.Context()
	vals := productValues("Bright Lamp")
	a := record(t)(p.Insert(ctx, enPub, &adapters.Insert{Values: vals}))
	if string(a.Slug) != "bright-lamp1" { // P-1001 left it for another
		t.Fatalf("new document slug %q, want bright-lamp1", a.Slug)
	}
	if got := slugOf(t, p, enDraft, a.DocID); got != "bright-lamp1" {
		t.Fatalf("its draft's slug %q", got)
	}
	b := record(t)(p.Insert(ctx, enDraft, &adapters.Insert{Values: append(vals, adapters.Value{Field: apos.SlugField, V: "Own Slug!"})}))
	if string(b.Slug) != "own-slug" {
		t.Fatalf("asked-for slug gives %q", b.Slug)
	}
	noErr(t, p.Delete(ctx, enDraft, a.DocID, func(*adapters.Record) error { return nil }))
	c := record(t)(p.Insert(ctx, enPub, &adapters.Insert{Values: vals}))
	if string(c.Slug) != "bright-lamp1" {
		t.Fatalf("a deleted document's slug is not free again: %q", c.Slug)
	}
	// Deleting the published record keeps the draft and its slug.
	noErr(t, p.Delete(ctx, enPub, c.DocID, func(*adapters.Record) error { return nil }))
	if got := slugOf(t, p, enDraft, c.DocID); got != "bright-lamp1" {
		t.Fatalf("draft slug after its published record's deletion %q", got)
	}
}

// testSlugLocalize checks that localizing copies the draft's slug.
func testSlugLocalize(t *testing.T, p *Adapter) {
	t.Helper()
	a := record(t)(p.Insert(t.Context(), enDraft, &adapters.Insert{Values: productValues("Walnut Stool")}))
	rec := record(t)(p.Localize(t.Context(), a.DocID, "en", "fr", false))
	if string(rec.Slug) != "walnut-stool" {
		t.Fatalf("localized slug %q, want walnut-stool", rec.Slug)
	}
}

// productValues are the values of a new product called title.
func productValues(title string) []adapters.Value {
	now := time.Now().UTC()
	return []adapters.Value{{Field: "title", V: title}, {Field: "price", V: int64(100)},
		{Field: "createdAt", V: now}, {Field: "updatedAt", V: now}}
}

// TestSlugsUnlocalized checks slugs of a type without locales or modes.
func TestSlugsUnlocalized(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		_, types := openShop(t, e)
		c := types["category"]
		s := apos.Scope{Mode: apos.Published}
		all := slugsOf(t, c, s)
		if all["3"] != "chairs" {
			t.Fatalf("category slugs %v", all)
		}
		rec := record(t)(c.Insert(t.Context(), s, &adapters.Insert{Values: []adapters.Value{{Field: "title", V: "Chairs"}}}))
		if string(rec.Slug) != "chairs1" {
			t.Fatalf("new category slug %q, want chairs1", rec.Slug)
		}
		if got := slugOf(t, c, apos.Scope{Mode: apos.Draft}, rec.DocID); got != "chairs1" {
			t.Fatalf("draft read of the one record: slug %q", got)
		}
		if got := bySlug(t, c, s, "chairs1"); !slices.Equal(got, []string{rec.DocID}) {
			t.Fatalf("filter: %v", got)
		}
		noErr(t, c.Delete(t.Context(), s, rec.DocID, func(*adapters.Record) error { return nil }))
		rec = record(t)(c.Insert(t.Context(), s, &adapters.Insert{Values: []adapters.Value{{Field: "title", V: "Chairs"}}}))
		if string(rec.Slug) != "chairs1" {
			t.Fatalf("slug after deletion %q, want chairs1", rec.Slug)
		}
	})
}

// TestSlugsOverlay checks the slugs of an overlay type, whose drafts and
// other locales live in the shadow table.
func TestSlugsOverlay(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		a := openOverlay(t, e)
		ctx := t.Context()
		pub, drafts := slugsOf(t, a, enPub), slugsOf(t, a, enDraft)
		if pub["9"] != "caring-for-oak-part-9" || drafts["9"] != pub["9"] || len(pub) != 25 || len(drafts) != 25 {
			t.Fatalf("article 9 slugs %q and %q of %d and %d", pub["9"], drafts["9"], len(pub), len(drafts))
		}
		rec := record(t)(a.Update(ctx, enDraft, "9", setSlug("oak-care", "Oak care")))
		if string(rec.Slug) != "oak-care" || rec.Modified != adapters.True {
			t.Fatalf("draft slug %q modified %v", rec.Slug, rec.Modified)
		}
		if got := bySlug(t, a, enDraft, "oak-care"); !slices.Equal(got, []string{"9"}) {
			t.Fatalf("draft filter: %v", got)
		}
		if got := bySlug(t, a, enPub, "oak-care"); len(got) != 0 {
			t.Fatalf("published filter before publishing: %v", got)
		}
		record(t)(a.Publish(ctx, "en", "9", adapters.PublishOptions{}))
		if got := bySlug(t, a, enPub, "oak-care"); !slices.Equal(got, []string{"9"}) {
			t.Fatalf("published filter: %v", got)
		}
		fr := record(t)(a.Insert(ctx, frPub, &adapters.Insert{Values: []adapters.Value{{Field: "title", V: "Oak care"}}}))
		if string(fr.Slug) != "oak-care" {
			t.Fatalf("fr slug %q: slugs are unique per locale", fr.Slug)
		}
		d := record(t)(a.Insert(ctx, enDraft, &adapters.Insert{Values: []adapters.Value{{Field: "title", V: "Oak care"}}}))
		if string(d.Slug) != "oak-care1" {
			t.Fatalf("new draft slug %q, want oak-care1", d.Slug)
		}
		testSlugSort(t, a, enDraft)
	})
}

// TestSlugsBehindTheProxy checks that rows the legacy application adds
// get a slug when first read or searched for.
func TestSlugsBehindTheProxy(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		db, types := openShop(t, e)
		p := types["product"]
		slugsOf(t, p, enPub)
		slugsOf(t, p, frPub)
		for _, status := range []string{"live", "draft"} {
			exec(t, db, `INSERT INTO products (product_id, lang, status, name, price_cents, in_stock, created_at, updated_at)
VALUES ('L-1', 'en', ?, 'Bright Desk', 100, TRUE, '2025-01-01 10:00:00', '2025-01-02 10:00:00')`, status)
		}
		if got := bySlug(t, p, enPub, "bright-desk1"); !slices.Equal(got, []string{"L-1"}) {
			t.Fatalf("a new legacy row is not found by its slug: %v", got)
		}
		if got := slugOf(t, p, enDraft, "L-1"); got != "bright-desk1" {
			t.Fatalf("its draft's slug %q", got)
		}
		exec(t, db, `INSERT INTO products (product_id, lang, status, name, price_cents, in_stock, created_at, updated_at)
VALUES ('L-2', 'fr', 'live', 'Bureau Lumineux', 100, TRUE, '2025-01-01 10:00:00', '2025-01-02 10:00:00')`)
		if got := slugOf(t, p, frPub, "L-2"); got != "bureau-lumineux1" {
			t.Fatalf("a new legacy row read by id: slug %q", got)
		}
	})
}

// TestSlugsConcurrentSweeps reads a fresh shop from many goroutines at
// once: the sweeps they start collide, and must still agree.
func TestSlugsConcurrentSweeps(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		db, _ := openShop(t, e)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each goroutine has an adapter of its own, as instances do.
				a, err := New(db, shopTypes(t)["product"], Options{DefaultLocale: "en"})
				if err == nil {
					_, err = a.Get(t.Context(), enDraft, fmt.Sprintf("P-10%02d", 1+i))
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			noErr(t, err)
		}
		slugsOf(t, mustNew(t, db, shopTypes(t)["product"]), enDraft)
	})
}

// TestSlugsSweepBatches checks a sweep of more records than one batch
// reads (sweepBatch): every record gets a slug, unique in its locale and
// mode, shared by its draft and published records, the titles that
// repeat across batches included.
func TestSlugsSweepBatches(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		db, types := openShop(t, e)
		const n = 2*sweepBatch + 100
		tx, err := db.BeginTx(t.Context(), nil)
		noErr(t, err)
		stmt, err := tx.Prepare(db.Rebind(`INSERT INTO products (product_id, lang, status, name, price_cents, in_stock, created_at, updated_at)
VALUES (?, 'en', ?, ?, 100, TRUE, '2024-01-01 00:00:00', '2024-01-01 00:00:00')`))
		noErr(t, err)
		for i := range n {
			for _, status := range []string{"live", "draft"} {
				_, err := stmt.Exec(fmt.Sprintf("B-%04d", i), status, fmt.Sprintf("Batch item %d", i%700))
				noErr(t, err)
			}
		}
		noErr(t, stmt.Close())
		noErr(t, tx.Commit())
		p := types["product"]
		_, err = p.Get(t.Context(), enPub, "B-0001")
		noErr(t, err)
		bySide := map[string]map[string]string{}
		for _, mode := range []string{"published", "draft"} {
			rows, err := db.QueryContext(t.Context(), db.Rebind(`SELECT aposproxy_doc, aposproxy_slug FROM aposproxy_slugs
WHERE aposproxy_type = 'product' AND aposproxy_locale = 'en' AND aposproxy_mode = ? AND aposproxy_doc LIKE 'B-%'`), mode)
			noErr(t, err)
			bySide[mode] = map[string]string{}
			for rows.Next() {
				var doc, slug string
				noErr(t, rows.Scan(&doc, &slug))
				bySide[mode][doc] = slug
			}
			noErr(t, rows.Err())
			rows.Close()
			if len(bySide[mode]) != n {
				t.Fatalf("%s: %d generated records with a slug, want %d", mode, len(bySide[mode]), n)
			}
		}
		for doc, slug := range bySide["published"] {
			if bySide["draft"][doc] != slug {
				t.Errorf("%s: draft slug %q, published %q", doc, bySide["draft"][doc], slug)
			}
		}
		if got := bySide["published"]["B-0005"]; got != "batch-item-5" {
			t.Errorf("B-0005: slug %q, want batch-item-5 (the first in key order)", got)
		}
	})
}

// TestSlugColumn checks a type that maps a slug column of its own (the
// shop's pages): slugs written are made unique in it, and the filter takes
// the legacy values as they are.
func TestSlugColumn(t *testing.T) {
	yes := true
	typ := &config.Type{
		Name: "page", Table: "pages", Key: "page_id", NewKeys: "database", Storage: "columns", Localized: &yes,
		Locale: config.ValueMap{Column: "lang"},
		Mode:   config.ValueMap{Column: "status", Values: map[string]string{"draft": "draft", "live": "published"}},
		Fields: []config.Field{
			{Name: "title", Column: "title", Kind: "string", Required: true},
			{Name: apos.SlugField, Column: "slug", Kind: "string"},
		},
	}
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		db, _ := openShop(t, e)
		a := mustNew(t, db, typ)
		if a.Schema().Slugs {
			t.Fatal("a type that maps a slug keeps none of its own")
		}
		ctx := t.Context()
		in := func(id string, vals ...adapters.Value) *adapters.Record {
			return record(t)(a.Insert(ctx, enPub, &adapters.Insert{DocID: id, Values: vals}))
		}
		fields := func(r *adapters.Record) string { return gjson.GetBytes(r.Fields, apos.SlugField).Str }
		if got := fields(in("100", adapters.Value{Field: "title", V: "Contact us"})); got != "contact-us" {
			t.Fatalf("slug made from the title %q", got)
		}
		if got := fields(in("101", adapters.Value{Field: "title", V: "Contact"}, adapters.Value{Field: apos.SlugField, V: "contact-us"})); got != "contact-us1" {
			t.Fatalf("duplicate slug gives %q, want contact-us1", got)
		}
		rec := record(t)(a.Update(ctx, enDraft, "101", setSlug("contact-us")))
		if got := fields(rec); got != "contact-us1" {
			t.Fatalf("updating to a taken slug gives %q", got)
		}
		rec = record(t)(a.Update(ctx, enDraft, "101", title("Contact page")))
		if got := fields(rec); got != "contact-us1" {
			t.Fatalf("a title edit changed the slug to %q", got)
		}
		if got := bySlug(t, a, enPub, "/about"); !slices.Equal(got, []string{"2"}) {
			t.Fatalf("a legacy slug is not found as it is: %v", got)
		}
	})
}
