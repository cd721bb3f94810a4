package sqlbackend

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// Scopes of the shop's two locales.
var enPub, enDraft, frPub, frDraft = adaptertest.EnPub, adaptertest.EnDraft, adaptertest.FrPub, adaptertest.FrDraft

// doc is what a test expects of one record; empty fields are not checked.
type doc struct {
	found    bool
	title    string
	modified adapters.Tristate
	// extra lists gjson paths into the record's members and their
	// values; "!path" means the member is absent.
	extra []string
}

// expectDoc checks the record of docID in scope s.
func expectDoc(t *testing.T, a *Adapter, s apos.Scope, docID string, want doc) {
	t.Helper()
	rec, err := a.Get(t.Context(), s, docID)
	if !want.found {
		if !errors.Is(err, apos.ErrNotFound) {
			t.Fatalf("%s %v: %v %v, want notfound", docID, s, rec, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s %v: %v", docID, s, err)
	}
	checkRecord(t, rec, want)
}

// checkRecord checks one record against want.
func checkRecord(t *testing.T, rec *adapters.Record, want doc) {
	t.Helper()
	if got := gjson.GetBytes(rec.Fields, "title").Str; want.title != "" && got != want.title {
		t.Fatalf("%s %v: title %q, want %q", rec.DocID, rec.Scope, got, want.title)
	}
	if want.modified != adapters.Unknown && rec.Modified != want.modified {
		t.Fatalf("%s %v: modified %v, want %v", rec.DocID, rec.Scope, rec.Modified, want.modified)
	}
	extra := "{" + string(rec.Extra) + "}"
	if !gjson.Valid(extra) {
		t.Fatalf("%s %v: extra %s is not JSON members", rec.DocID, rec.Scope, rec.Extra)
	}
	for i := 0; i+1 < len(want.extra); i += 2 {
		path, value := want.extra[i], want.extra[i+1]
		if p, ok := strings.CutPrefix(path, "!"); ok {
			if gjson.Get(extra, p).Exists() {
				t.Fatalf("%s %v: %s present in %s", rec.DocID, rec.Scope, p, extra)
			}
			continue
		}
		got := gjson.Get(extra, path)
		if value == "*" && got.Exists() || got.String() == value || got.Raw == value {
			continue
		}
		t.Fatalf("%s %v: %s = %s, want %s (members %s)", rec.DocID, rec.Scope, path, got.Raw, value, extra)
	}
}

// noErr fails t on err.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// record returns rec, failing t on err.
func record(t *testing.T) func(*adapters.Record, error) *adapters.Record {
	return func(rec *adapters.Record, err error) *adapters.Record {
		t.Helper()
		noErr(t, err)
		return rec
	}
}

// exec runs one statement written with ? placeholders.
func exec(t *testing.T, db *sqldb.DB, text string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), db.Rebind(text), args...); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
}

// wantErr checks that err is sentinel.
func wantErr(t *testing.T, err error, sentinel *apos.Error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v, want %s", err, sentinel.Name)
	}
}

// title is a change that sets the title.
func title(s string) adapters.Change {
	return func(*adapters.Record) ([]adapters.Value, error) {
		return []adapters.Value{{Field: "title", V: s}}, nil
	}
}

// TestWorkflowColumns runs the workflow (docs/api-rules.md#34) on the shop's
// products, whose table keeps drafts and published rows side by side.
func TestWorkflowColumns(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		_, types := openShop(t, e)
		now := time.Now().UTC()
		testWorkflow(t, types["product"], []adapters.Value{
			{Field: "title", V: "Oak Stool"}, {Field: "price", V: int64(4500)},
			{Field: "createdAt", V: now}, {Field: "updatedAt", V: now},
		})
		p := types["product"]
		t.Run("unpublish a document without a draft keeps its content", func(t *testing.T) {
			noErr(t, p.Delete(t.Context(), enDraft, "P-1001", func(*adapters.Record) error { return nil }))
			expectDoc(t, p, enPub, "P-1001", doc{})
			// P-1009 in French: drop its draft row by hand, as a legacy
			// application might have left it.
			exec(t, p.db, `DELETE FROM products WHERE product_id = ? AND lang = ? AND status = ?`, "P-1009", "fr", "draft")
			rec := record(t)(p.Unpublish(t.Context(), "fr", "P-1009"))
			checkRecord(t, rec, doc{found: true, title: "Étagère Lumineux", modified: adapters.True, extra: []string{"lastPublishedAt", "null"}})
			expectDoc(t, p, frPub, "P-1009", doc{})
		})
	})
}

// testWorkflow walks one new document through every workflow operation:
// the done-when of the workflow issue, on the adapter.
func testWorkflow(t *testing.T, a *Adapter, values []adapters.Value) {
	ctx := t.Context()
	rec := record(t)(a.Insert(ctx, enDraft, &adapters.Insert{Values: values}))
	id := rec.DocID
	name := gjson.GetBytes(rec.Fields, "title").Str
	checkRecord(t, rec, doc{found: true, modified: adapters.True, extra: []string{"!lastPublishedAt", ""}})
	t.Run("submit", func(t *testing.T) {
		at := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
		noErr(t, a.Submit(ctx, "en", id, adapters.Submission{By: "Cora", At: at}))
		expectDoc(t, a, enDraft, id, doc{found: true, extra: []string{
			"submitted.by", "Cora", "submitted.byId", "null", "submitted.at", "2026-01-02T03:04:05.006Z"}})
		wantErr(t, a.Submit(ctx, "en", "nosuchdoc", adapters.Submission{}), apos.ErrNotFound)
	})
	t.Run("publish", func(t *testing.T) {
		expectDoc(t, a, enPub, id, doc{})
		rec := record(t)(a.Publish(ctx, "en", id, adapters.PublishOptions{}))
		// An overlay document's provisional key gives way to the legacy
		// table's at its first publication.
		id = rec.DocID
		checkRecord(t, rec, doc{found: true, title: name, modified: adapters.False,
			extra: []string{"lastPublishedAt", "*", "!submitted", ""}})
		expectDoc(t, a, enPub, id, doc{found: true, title: name, extra: []string{"lastPublishedAt", "*"}})
		_, err := a.Publish(ctx, "en", "nosuchdoc", adapters.PublishOptions{})
		wantErr(t, err, apos.ErrNotFound)
		_, err = a.RevertPublishedToPrevious(ctx, "en", id)
		wantErr(t, err, apos.ErrInvalid)
	})
	t.Run("edit and revert the draft", func(t *testing.T) {
		rec := record(t)(a.Update(ctx, enDraft, id, title(name+" (edited)")))
		checkRecord(t, rec, doc{found: true, modified: adapters.True})
		rec = record(t)(a.RevertDraftToPublished(ctx, "en", id))
		checkRecord(t, rec, doc{found: true, title: name, modified: adapters.False})
		if rec = record(t)(a.RevertDraftToPublished(ctx, "en", id)); rec != nil {
			t.Fatalf("reverting an unmodified draft gave %s", rec.Fields)
		}
	})
	t.Run("publish again and revert to the previous", func(t *testing.T) {
		record(t)(a.Update(ctx, enDraft, id, title(name+" II")))
		record(t)(a.Publish(ctx, "en", id, adapters.PublishOptions{}))
		expectDoc(t, a, enPub, id, doc{found: true, title: name + " II"})
		rec := record(t)(a.RevertPublishedToPrevious(ctx, "en", id))
		checkRecord(t, rec, doc{found: true, title: name, extra: []string{"lastPublishedAt", "*"}})
		expectDoc(t, a, enDraft, id, doc{found: true, title: name + " II", modified: adapters.True})
		_, err := a.RevertPublishedToPrevious(ctx, "en", id)
		wantErr(t, err, apos.ErrInvalid)
	})
	t.Run("localize", func(t *testing.T) {
		rec := record(t)(a.Localize(ctx, id, "en", "fr", false))
		checkRecord(t, rec, doc{found: true, title: name + " II", modified: adapters.True,
			extra: []string{"localizedAt", "*", "!lastPublishedAt", ""}})
		if rec.Scope != frDraft {
			t.Fatalf("localized into %v", rec.Scope)
		}
		expectDoc(t, a, frPub, id, doc{})
		_, err := a.Localize(ctx, id, "en", "fr", false)
		wantErr(t, err, apos.ErrConflict)
		_, err = a.Localize(ctx, id, "en", "en", true)
		wantErr(t, err, apos.ErrInvalid)
		record(t)(a.Update(ctx, enDraft, id, title(name+" III")))
		checkRecord(t, record(t)(a.Localize(ctx, id, "en", "fr", true)), doc{found: true, title: name + " III"})
		record(t)(a.Publish(ctx, "fr", id, adapters.PublishOptions{}))
		expectDoc(t, a, frDraft, id, doc{found: true, modified: adapters.False, extra: []string{"localizedAt", "*", "lastPublishedAt", "*"}})
	})
	t.Run("locales", func(t *testing.T) {
		got, err := a.Locales(ctx, id, nil)
		noErr(t, err)
		slices.SortFunc(got, func(x, y apos.Scope) int {
			return strings.Compare(x.Locale+string(x.Mode), y.Locale+string(y.Mode))
		})
		if want := []apos.Scope{enDraft, enPub, frDraft, frPub}; !slices.Equal(got, want) {
			t.Fatalf("locales %v, want %v", got, want)
		}
	})
	t.Run("unpublish", func(t *testing.T) {
		rec := record(t)(a.Unpublish(ctx, "en", id))
		checkRecord(t, rec, doc{found: true, modified: adapters.True, extra: []string{"lastPublishedAt", "null"}})
		if rec.Scope != enDraft {
			t.Fatalf("unpublish answered %v", rec.Scope)
		}
		expectDoc(t, a, enPub, id, doc{})
		_, err := a.Unpublish(ctx, "en", id)
		wantErr(t, err, apos.ErrNotFound)
		_, err = a.RevertPublishedToPrevious(ctx, "en", id)
		wantErr(t, err, apos.ErrNotFound)
		if rec := record(t)(a.RevertDraftToPublished(ctx, "en", id)); rec != nil {
			t.Fatal("reverting a draft that is not published gave a record")
		}
	})
	t.Run("delete forgets the store", func(t *testing.T) {
		noErr(t, a.Delete(ctx, frDraft, id, func(*adapters.Record) error { return nil }))
		expectDoc(t, a, frPub, id, doc{})
		var n int
		noErr(t, a.db.QueryRowContext(ctx, a.db.Rebind("SELECT COUNT(*) FROM "+metaTable+" WHERE doc_id = ? AND locale = ?"), id, "fr").Scan(&n))
		if n != 0 {
			t.Fatalf("%d members of deleted records are left", n)
		}
		got, err := a.Locales(ctx, id, nil)
		noErr(t, err)
		if len(got) != 1 || got[0] != enDraft {
			t.Fatalf("locales after deletes %v", got)
		}
	})
}
