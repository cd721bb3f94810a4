package sqlbackend

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// snapshot is everything a publication touches, to compare before and
// after: the legacy table's rows of the document, the store's rows and
// the members.
func snapshot(t *testing.T, a *Adapter, keyColumn string, key any, docID string) string {
	t.Helper()
	out := ""
	table := a.t.Table
	for _, q := range []struct {
		text string
		arg  any
	}{
		{"SELECT * FROM " + table + " WHERE " + keyColumn + " = ?", key},
		{"SELECT * FROM " + shadowPrefix + table + " WHERE " + keyColumn + " = ?", key},
		{"SELECT * FROM " + metaTable + " WHERE doc_id = ?", docID},
	} {
		rows, err := a.db.QueryContext(t.Context(), a.db.Rebind(q.text+" ORDER BY 1, 2, 3"), q.arg)
		noErr(t, err)
		cols, _ := rows.Columns()
		r := newRow(len(cols))
		for rows.Next() {
			noErr(t, r.scan(rows, len(cols)))
			for i := range cols {
				out += string(r.cells[i].appendText(nil)) + "|"
			}
			out += "\n"
		}
		noErr(t, rows.Err())
		rows.Close()
		out += "--\n"
	}
	return out
}

// failTrigger makes every statement of event on table fail, as a crash
// between a publication's writes would, and returns what removes it.
func failTrigger(t *testing.T, db *sqldb.DB, engine, table, event string) func() {
	t.Helper()
	name := "aposproxy_test_fail_" + table
	var create, drop []string
	switch engine {
	case "sqlite":
		create = []string{fmt.Sprintf("CREATE TRIGGER %s BEFORE %s ON %s BEGIN SELECT RAISE(ABORT, 'simulated crash'); END", name, event, table)}
		drop = []string{"DROP TRIGGER " + name}
	case "postgres":
		create = []string{
			"CREATE OR REPLACE FUNCTION aposproxy_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$ LANGUAGE plpgsql",
			fmt.Sprintf("CREATE TRIGGER %s BEFORE %s ON %s FOR EACH ROW EXECUTE PROCEDURE aposproxy_test_fail()", name, event, table),
		}
		drop = []string{fmt.Sprintf("DROP TRIGGER %s ON %s", name, table)}
	case "mysql":
		create = []string{fmt.Sprintf("CREATE TRIGGER %s BEFORE %s ON %s FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated crash'", name, event, table)}
		drop = []string{"DROP TRIGGER " + name}
	}
	for _, s := range create {
		exec(t, db, s)
	}
	return func() {
		for _, s := range drop {
			exec(t, db, s)
		}
	}
}

// TestPublishCrash interrupts publications between their writes: before
// the legacy row is written (the previous copy already is), and after it
// (while the members are written). Each leaves the old state whole; once
// nothing fails, the same publication leaves the new state.
func TestPublishCrash(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		db, types := openShop(t, e)
		typ := shopTypes(t)["article"]
		typ.Storage = "overlay"
		article := mustNew(t, db, typ)
		record(t)(article.Update(t.Context(), enDraft, "5", title("Outdoor furniture, revised")))
		for _, tc := range []struct {
			name, table, keyColumn, event string
			a                             *Adapter
			docID                         string
			key                           any
		}{
			{"columns, before the legacy row", "products", "product_id", "UPDATE", types["product"], "P-1004", "P-1004"},
			{"columns, after the legacy row", metaTable, "product_id", "INSERT", types["product"], "P-1006", "P-1006"},
			{"overlay, before the legacy row", "articles", "id", "UPDATE", article, "5", int64(5)},
			{"overlay, after the legacy row", metaTable, "id", "INSERT", article, "5", int64(5)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, tc.a, tc.keyColumn, tc.key, tc.docID)
				undo := failTrigger(t, db, e.Name, tc.table, tc.event)
				if _, err := tc.a.Publish(t.Context(), "en", tc.docID, adapters.PublishOptions{}); err == nil {
					t.Fatal("the publication did not fail")
				}
				undo()
				if after := snapshot(t, tc.a, tc.keyColumn, tc.key, tc.docID); after != before {
					t.Fatalf("a failed publication changed the records:\nbefore\n%s\nafter\n%s", before, after)
				}
				expectDoc(t, tc.a, enDraft, tc.docID, doc{found: true, modified: adapters.True})
			})
		}
		rec := record(t)(article.Publish(t.Context(), "en", "5", adapters.PublishOptions{}))
		checkRecord(t, rec, doc{found: true, title: "Outdoor furniture, revised", modified: adapters.False})
		expectDoc(t, article, enPub, "5", doc{found: true, title: "Outdoor furniture, revised", extra: []string{"lastPublishedAt", "*"}})
	})
}

// TestConcurrentPublish publishes one document from many goroutines while
// others edit its draft: every call either completes or fails cleanly
// (engines may refuse a deadlocked transaction), and the records stay
// whole: one published record holding one of the drafts' titles, one
// previous copy at most, and a draft whose modified flag tells the truth.
func TestConcurrentPublish(t *testing.T) {
	const workers, each = 4, 4
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		db, types := openShop(t, e)
		typ := shopTypes(t)["article"]
		typ.Storage = "overlay"
		for _, a := range []*Adapter{types["product"], mustNew(t, db, typ)} {
			docID := map[string]string{"products": "P-1008", "articles": "7"}[a.t.Table]
			t.Run(a.t.Name, func(t *testing.T) {
				titles := sync.Map{}
				var wg sync.WaitGroup
				for w := range workers {
					wg.Go(func() {
						for i := range each {
							var err error
							if (w+i)%2 == 0 {
								_, err = a.Publish(t.Context(), "en", docID, adapters.PublishOptions{Force: true})
							} else {
								name := fmt.Sprintf("Title %d-%d", w, i)
								titles.Store(name, true)
								_, err = a.Update(t.Context(), enDraft, docID, title(name))
							}
							if err != nil && !errors.Is(err, apos.ErrUnavailable) && !errors.Is(err, apos.ErrConflict) {
								t.Errorf("worker %d: %v", w, err)
							}
						}
					})
				}
				wg.Wait()
				pub := record(t)(a.Get(t.Context(), enPub, docID))
				draft := record(t)(a.Get(t.Context(), enDraft, docID))
				pubTitle, draftTitle := gjson.GetBytes(pub.Fields, "title").Str, gjson.GetBytes(draft.Fields, "title").Str
				if _, ok := titles.Load(pubTitle); !ok {
					t.Fatalf("published title %q was never a draft's", pubTitle)
				}
				if want := map[bool]adapters.Tristate{true: adapters.False, false: adapters.True}[pubTitle == draftTitle]; draft.Modified != want {
					t.Fatalf("draft %q over published %q: modified %v", draftTitle, pubTitle, draft.Modified)
				}
				var n int
				noErr(t, a.db.QueryRowContext(t.Context(), a.db.Rebind("SELECT COUNT(*) FROM "+shadowPrefix+a.t.Table+
					" WHERE "+localeColumn+" = ? AND "+modeColumn+" = ?"), "en", "previous").Scan(&n))
				if n > 1 {
					t.Fatalf("%d previous copies", n)
				}
				if !gjson.GetBytes(append(append([]byte("{"), pub.Extra...), '}'), "lastPublishedAt").Exists() {
					t.Fatalf("published record without lastPublishedAt: %s", pub.Extra)
				}
			})
		}
	})
}
