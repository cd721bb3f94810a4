package attachments_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/app"
	"github.com/aposproxy/aposproxy/attachments"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// fieldTypes are the types of the attachment field tests: a store type
// whose attachment columns keep the object (doc) and the id (pic), and
// an overlay type over a legacy table whose image the proxy keeps.
const fieldTypes = `
[[locales.list]]
name = "fr"

[types.photo]
database = "main"
store = true
[[types.photo.fields]]
name = "title"
[[types.photo.fields]]
name = "pic"
kind = "attachment"
store = "id"
[[types.photo.fields]]
name = "doc"
kind = "attachment"
[[types.photo.fields]]
name = "archived"
kind = "boolean"

[types.article]
database = "main"
table = "articles"
storage = "overlay"
[[types.article.fields]]
name = "title"
column = "headline"
required = true
[[types.article.fields]]
name = "image"
kind = "attachment"
store = "proxy"
`

// counting counts the lookups of a real attachments.Service, to see that
// a page of documents takes one.
type counting struct {
	*attachments.Service
	resolves, loads atomic.Int32
}

func (c *counting) Resolve(ctx context.Context, values []gjson.Result) ([][]byte, [][]byte, error) {
	c.resolves.Add(1)
	return c.Service.Resolve(ctx, values)
}

func (c *counting) LoadFields(ctx context.Context, typ string, s apos.Scope, ids []string) (map[string][]byte, error) {
	c.loads.Add(1)
	return c.Service.LoadFields(ctx, typ, s, ids)
}

// databases opens the test's one database for attachments.New.
type databases struct{ db *sqldb.DB }

func (d databases) Database(context.Context, *config.Config, string) (*sqldb.DB, error) {
	return d.db, nil
}

// fieldSite serves fieldTypes on e with a legacy articles table holding
// one live article, and returns its base URL and the lookup counter.
func fieldSite(t *testing.T, e testkit.Engine) (string, *counting, *sqldb.DB) {
	t.Helper()
	dsn := e.Fresh(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := sqldb.Open(ctx, config.Database{Driver: e.Name, DSN: dsn, MaxOpen: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"CREATE TABLE articles (id INTEGER NOT NULL PRIMARY KEY, headline VARCHAR(200) NOT NULL)",
		"INSERT INTO articles (id, headline) VALUES (1, 'Hello')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_, text := testkit.TempConfig(t, siteConfig+fieldTypes, nil, "DRIVER", e.Name, "DSN", dsn,
		"MAX", fmt.Sprint(8<<20), "EXTRA", "")
	cfg, err := config.Parse([]byte(text), ".")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := app.Build(t.Context(), cfg, log, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	svc, err := attachments.New(ctx, cfg, databases{db}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	c := &counting{Service: svc}
	p.API.SetAttachments(c)
	return testkit.ServeServer(t, p.Server(cfg)), c, db
}

func do(t *testing.T, method, url, key, body string) testkit.Response {
	t.Helper()
	return testkit.Do(t, method, url, body, testkit.APIKey(key)...)
}

func TestAttachmentFieldStorage(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		base, count, db := fieldSite(t, e)
		api := base + "/api/v1"
		up := upload(t, base, "adminkey", "photo.png", pngOf(t, 64, 48))
		if up.Status != 200 {
			t.Fatalf("upload: %d %s", up.Status, up.Body)
		}
		id := gjson.Get(up.Body, "_id").Str

		t.Run("id and JSON columns", func(t *testing.T) {
			r := do(t, "POST", api+"/photo", "adminkey", `{"title":"One","pic":`+up.Body+`,"doc":"`+id+`"}`)
			if r.Status != 200 || gjson.Get(r.Body, "pic._id").Str != id || gjson.Get(r.Body, "doc._urls.one-half").Str == "" {
				t.Fatalf("POST photo: %d %s", r.Status, r.Body)
			}
			var pic, doc string
			q := db.Rebind("SELECT pic, doc FROM aposproxy_photo WHERE doc_mode = 'published'")
			if err := db.QueryRowContext(t.Context(), q).Scan(&pic, &doc); err != nil {
				t.Fatal(err)
			}
			if pic != id {
				t.Fatalf("the id column holds %q, want %q", pic, id)
			}
			if gjson.Get(doc, "_id").Str != id || gjson.Get(doc, "extension").Str != "png" || gjson.Get(doc, "_urls").Exists() {
				t.Fatalf("the JSON column holds %s", doc)
			}
		})

		t.Run("unknown attachment refused", func(t *testing.T) {
			r := do(t, "POST", api+"/photo", "adminkey", `{"title":"Two","pic":"doesnotexist"}`)
			if r.Status != 400 || gjson.Get(r.Body, "name").Str != "invalid" || gjson.Get(r.Body, "data.errors.0.path").Str != "pic" {
				t.Fatalf("unknown attachment: %d %s", r.Status, r.Body)
			}
		})

		t.Run("a page of documents takes one lookup", func(t *testing.T) {
			for i := range 4 {
				if r := do(t, "POST", api+"/photo", "adminkey", fmt.Sprintf(`{"title":"P%d","pic":"%s","doc":"%s"}`, i, id, id)); r.Status != 200 {
					t.Fatalf("POST: %d %s", r.Status, r.Body)
				}
			}
			before := count.resolves.Load()
			r := do(t, "GET", api+"/photo?perPage=10", "", "")
			if n := gjson.Get(r.Body, "results.#").Int(); n != 5 {
				t.Fatalf("%d photos: %s", n, r.Body)
			}
			if got := count.resolves.Load() - before; got != 1 {
				t.Fatalf("a page of 5 documents with 10 attachments took %d lookups", got)
			}
			for _, p := range gjson.Get(r.Body, "results.#.pic._urls.full").Array() {
				if !strings.Contains(p.Str, id) {
					t.Fatalf("pic not annotated: %s", r.Body)
				}
			}
		})

		t.Run("archiving moves the document to archivedDocIds", func(t *testing.T) {
			r := do(t, "POST", api+"/photo", "adminkey", `{"title":"Old","pic":"`+id+`"}`)
			pid := gjson.Get(r.Body, "aposDocId").Str
			// The batch archive route sets archived on the draft and
			// unpublishes it.
			r = do(t, "POST", api+"/photo/archive", "adminkey", `{"_ids":["`+pid+`:en:draft"]}`)
			job := gjson.Get(r.Body, "jobId").Str
			if r.Status != 200 || job == "" {
				t.Fatalf("archive: %d %s", r.Status, r.Body)
			}
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				j := do(t, "GET", api+"/@apostrophecms/job/"+job, "adminkey", "")
				if gjson.Get(j.Body, "ended").Bool() {
					if gjson.Get(j.Body, "good").Int() != 1 {
						t.Fatalf("archive job: %s", j.Body)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("archive job did not end: %s", j.Body)
				}
			}
			r = do(t, "GET", api+"/photo/"+pid+":en:draft", "adminkey", "")
			live, gone := gjson.Get(r.Body, "pic.docIds").String(), gjson.Get(r.Body, "pic.archivedDocIds").String()
			if !strings.Contains(gone, pid+":en:draft") || strings.Contains(live, pid) {
				t.Fatalf("docIds %s, archivedDocIds %s; %s", live, gone, r.Body)
			}
			if r := do(t, "DELETE", api+"/photo/"+pid+":en:draft", "adminkey", ""); r.Status != 200 {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			r = do(t, "GET", api+"/photo?perPage=1", "", "")
			if all := gjson.Get(r.Body, "results.0.pic.docIds").String() + gjson.Get(r.Body, "results.0.pic.archivedDocIds").String(); strings.Contains(all, pid) {
				t.Fatalf("a deleted document is still listed: %s", all)
			}
		})

		t.Run("overlay type keeps the image beside the legacy row", func(t *testing.T) {
			r := do(t, "PATCH", api+"/article/1:en:draft", "adminkey", `{"image":`+up.Body+`}`)
			if r.Status != 200 || gjson.Get(r.Body, "image._id").Str != id {
				t.Fatalf("PATCH article: %d %s", r.Status, r.Body)
			}
			if r := do(t, "GET", api+"/article/1:en:published", "", ""); gjson.Get(r.Body, "image").Type != gjson.Null {
				t.Fatalf("the live article has no image before publishing: %s", r.Body)
			}
			before := count.loads.Load()
			if r := do(t, "POST", api+"/article/1:en:draft/publish", "adminkey", ""); r.Status != 200 {
				t.Fatalf("publish: %d %s", r.Status, r.Body)
			}
			r = do(t, "GET", api+"/article?perPage=5", "", "")
			if gjson.Get(r.Body, "results.0.image._id").Str != id || gjson.Get(r.Body, "results.0.title").Str != "Hello" {
				t.Fatalf("published article: %s", r.Body)
			}
			if count.loads.Load()-before < 1 {
				t.Fatal("held fields not read")
			}
			// Localized: the French draft starts with the English image.
			if r := do(t, "POST", api+"/article/1:en:draft/localize", "adminkey", `{"toLocale":"fr"}`); r.Status != 200 || gjson.Get(r.Body, "image._id").Str != id {
				t.Fatalf("localize: %d %s", r.Status, r.Body)
			}
			// Reverting the draft to the published keeps the image;
			// deleting the draft removes it with the document.
			r = do(t, "PATCH", api+"/article/1:en:draft", "adminkey", `{"image":null}`)
			if r.Status != 200 || gjson.Get(r.Body, "image").Type != gjson.Null {
				t.Fatalf("PATCH null: %d %s", r.Status, r.Body)
			}
			if r := do(t, "POST", api+"/article/1:en:draft/revert-draft-to-published", "adminkey", ""); gjson.Get(r.Body, "image._id").Str != id {
				t.Fatalf("revert: %d %s", r.Status, r.Body)
			}
			var legacy int
			if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM articles").Scan(&legacy); err != nil || legacy != 1 {
				t.Fatalf("legacy rows %d, %v", legacy, err)
			}
			// docIds name the live article.
			if ids := gjson.Get(do(t, "GET", api+"/article/1:en:published", "", "").Body, "image.docIds").String(); !strings.Contains(ids, `"1:en:published"`) {
				t.Fatalf("docIds %s", ids)
			}
		})
	})
}
