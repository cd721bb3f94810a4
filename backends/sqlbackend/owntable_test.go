package sqlbackend

import (
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// storeTypes parses store types in a configuration of their own: every
// field kind in a localized type with drafts, and users with a password.
func storeTypes(t *testing.T, extra string) map[string]*config.Type {
	t.Helper()
	src := `[databases.db]
driver = "sqlite"
dsn = "file:unused.db"

[[locales.list]]
name = "en"

[[locales.list]]
name = "fr"

[types.note]
database = "db"
store = true

[[types.note.fields]]
name = "title"
required = true

[[types.note.fields]]
name = "rank"
kind = "integer"

[[types.note.fields]]
name = "score"
kind = "float"

[[types.note.fields]]
name = "done"
kind = "boolean"

[[types.note.fields]]
name = "day"
kind = "date"

[[types.note.fields]]
name = "at"
kind = "datetime"

[[types.note.fields]]
name = "data"
kind = "json"

[[types.note.fields]]
name = "color"
kind = "select"
choices = ["red"]
` + extra + `
[types.member]
database = "db"
store = true
localized = false

[[types.member.fields]]
name = "login"

[[types.member.fields]]
name = "secret"
kind = "password"
`
	cfg, err := config.Parse([]byte(src), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Types
}

// TestStoreTable: a store type's table is created on every engine with a
// column per field that keeps its kind's values, and gains the columns of
// fields added later.
func TestStoreTable(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		a := mustNew(t, db, storeTypes(t, "")["note"])
		at := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC) // SQLite keeps seconds
		rec, err := a.Insert(t.Context(), apos.Scope{Locale: "fr", Mode: apos.Published}, &adapters.Insert{Values: []adapters.Value{
			{Field: "title", V: "Note"}, {Field: "rank", V: int64(1) << 40}, {Field: "score", V: 2.5},
			{Field: "done", V: true}, {Field: "day", V: "2026-05-04"}, {Field: "at", V: at},
			{Field: "data", V: adapters.RawJSON(`{"a":[1,2]}`)}, {Field: "color", V: "red"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"title":"Note","rank":1099511627776,"score":2.5,"done":true,"day":"2026-05-04","at":"2026-05-04T03:02:01.000Z","data":{"a":[1,2]},"color":"red"}`
		for _, m := range []apos.Mode{apos.Published, apos.Draft} {
			got, err := a.Get(t.Context(), apos.Scope{Locale: "fr", Mode: m}, rec.DocID)
			if err != nil || string(got.Fields) != want {
				t.Fatalf("%s: %v %s, want %s", m, err, got.Fields, want)
			}
		}
		if len(rec.DocID) != 24 {
			t.Fatalf("a store type's keys are random ids: %q", rec.DocID)
		}
		// A field configured later gets its column at the next start.
		b := mustNew(t, db, storeTypes(t, "\n[[types.note.fields]]\nname = \"later\"\nkind = \"integer\"\n")["note"])
		got, err := b.Get(t.Context(), apos.Scope{Locale: "fr", Mode: apos.Draft}, rec.DocID)
		if err != nil || !strings.HasSuffix(string(got.Fields), `"later":null}`) {
			t.Fatalf("after a new field: %v %s", err, got.Fields)
		}
		mustNew(t, db, storeTypes(t, "")["note"]) // an existing table is kept as it is
	})
}

// TestPasswordNeverRead: a password field is written, and never read back,
// by a single read or a list, whatever the projection.
func TestPasswordNeverRead(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		a := mustNew(t, db, storeTypes(t, "")["member"])
		rec, err := a.Insert(t.Context(), apos.Scope{Mode: apos.Published}, &adapters.Insert{Values: []adapters.Value{
			{Field: "login", V: "ada"}, {Field: "secret", V: "$2a$10$hash"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if string(rec.Fields) != `{"login":"ada"}` {
			t.Fatalf("insert answers %s", rec.Fields)
		}
		for _, project := range [][]string{nil, {"login", "secret"}, {"secret"}} {
			page, err := a.List(t.Context(), &adapters.Query{Scope: apos.Scope{Mode: apos.Published}, Page: 1, PerPage: 10, Project: project})
			if err != nil || len(page.Records) != 1 || gjson.GetBytes(page.Records[0].Fields, "secret").Exists() {
				t.Fatalf("project %v: %v %+v", project, err, page)
			}
		}
		var hash string
		if err := a.db.QueryRow("SELECT secret FROM aposproxy_member").Scan(&hash); err != nil || hash != "$2a$10$hash" {
			t.Fatalf("stored %q, %v", hash, err)
		}
	})
}
