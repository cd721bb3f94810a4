package e2e

import (
	"testing"

	"github.com/tidwall/gjson"
)

// TestWorkflow walks a new document through Apostrophe's editorial
// workflow as a new user of the shop would, with a contributor's and an
// editor's keys: for a product, whose table keeps drafts and live rows,
// and for an article, whose table holds only the live text (the overlay
// storage). Every step is checked through GET.
func TestWorkflow(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		for _, tc := range []struct {
			typ, create string
		}{
			{"product", `{"title":"Walnut Stool","price":3900,"color":"black"}`},
			{"article", `{"title":"Oiling walnut","author":"Ada Park"}`},
		} {
			t.Run(tc.typ, func(t *testing.T) { walkWorkflow(t, s, "/"+tc.typ, tc.create) })
		}
	})
}

// walkWorkflow is one type's walk; base is the type's path.
func walkWorkflow(t *testing.T, s *shop, base, create string) {
	r := s.do(t, "POST", base+"?aposMode=draft", contributorKey, create)
	expect(t, r, 200, "aposMode", "draft", "aposLocale", "en:draft", "modified", "true")
	if gjson.Get(r.body, "lastPublishedAt").Exists() {
		t.Fatalf("a draft never published has no lastPublishedAt: %s", r.body)
	}
	id := gjson.Get(r.body, "aposDocId").Str
	title := gjson.Get(r.body, "title").Str
	expect(t, s.do(t, "GET", base+"/"+id+":en:published", editorKey, ""), 404, "name", "notfound")

	// The contributor submits; only an editor publishes.
	r = s.do(t, "POST", base+"/"+id+":en:draft/submit", contributorKey, "")
	expect(t, r, 200, "by", "System Task", "byId", "null")
	expect(t, s.do(t, "GET", base+"/"+id+":en:draft", contributorKey, ""), 200, "submitted.by", "System Task")
	expect(t, s.do(t, "POST", base+"/"+id+":en:draft/publish", contributorKey, ""), 403, "name", "forbidden")
	r = s.do(t, "POST", base+"/"+id+":en:draft/publish", editorKey, "{}")
	expect(t, r, 200, "aposMode", "draft", "modified", "false", "title", title)
	if !gjson.Get(r.body, "lastPublishedAt").Exists() || gjson.Get(r.body, "submitted").Exists() {
		t.Fatalf("publish: lastPublishedAt must be set and submitted gone: %s", r.body)
	}
	// An article made as a draft takes its legacy key when first published.
	id = gjson.Get(r.body, "aposDocId").Str
	published := gjson.Get(r.body, "lastPublishedAt").Str
	expect(t, s.do(t, "GET", base+"/"+id+":en:published", "", ""), 200,
		"_id", id+":en:published", "aposMode", "published", "title", title, "lastPublishedAt", published)

	// Edit the draft, see it modified, and revert it.
	r = s.do(t, "PATCH", base+"/"+id+":en:draft", contributorKey, `{"title":"`+title+` (edited)"}`)
	expect(t, r, 200, "modified", "true", "lastPublishedAt", published)
	expect(t, s.do(t, "GET", base+"/"+id+":en:published", "", ""), 200, "title", title)
	r = s.do(t, "POST", base+"/"+id+"/revert-draft-to-published", editorKey, "")
	expect(t, r, 200, "_id", id+":en:draft", "title", title, "modified", "false")
	r = s.do(t, "POST", base+"/"+id+"/revert-draft-to-published", editorKey, "")
	if r.status != 200 || r.body != "false" {
		t.Fatalf("reverting an unmodified draft: %d %s", r.status, r.body)
	}

	// Localize it to French, then publish the French version.
	r = s.do(t, "POST", base+"/"+id+":en:draft/localize", editorKey, `{"toLocale":"fr"}`)
	expect(t, r, 200, "_id", id+":fr:draft", "aposLocale", "fr:draft", "title", title, "modified", "true")
	if !gjson.Get(r.body, "localizedAt").Exists() {
		t.Fatalf("localize: no localizedAt: %s", r.body)
	}
	expect(t, s.do(t, "GET", base+"/"+id+":fr:published", editorKey, ""), 404, "name", "notfound")
	expect(t, s.do(t, "POST", base+"/"+id+":en:draft/localize", editorKey, `{"toLocale":"fr"}`), 409, "name", "conflict")
	expect(t, s.do(t, "POST", base+"/"+id+":en:draft/localize", editorKey, `{"toLocale":"en"}`), 400, "name", "invalid")
	expect(t, s.do(t, "POST", base+"/"+id+":en:draft/localize", editorKey, `{"toLocale":"fr","update":true}`), 200, "aposLocale", "fr:draft")
	expect(t, s.do(t, "POST", base+"/"+id+":fr:draft/publish", editorKey, ""), 200, "aposLocale", "fr:draft", "modified", "false")
	expect(t, s.do(t, "GET", base+"/"+id+"?aposLocale=fr", "", ""), 200, "_id", id+":fr:published", "title", title)
	r = s.do(t, "GET", base+"/"+id+":en:published/locales", editorKey, "")
	expect(t, r, 200, "results.#", "4", "results.0._id", id+":en:published", "results.1.aposLocale", "en:draft",
		"results.3._id", id+":fr:draft")
	expect(t, s.do(t, "GET", base+"/"+id+"/locales", "", ""), 200, "results.#", "2", "results.1.aposLocale", "fr:published")

	// Publish a change, undo that publication, then unpublish.
	s.do(t, "PATCH", base+"/"+id+":en:draft", editorKey, `{"title":"`+title+` II"}`)
	expect(t, s.do(t, "POST", base+"/"+id+"/publish", editorKey, ""), 200, "title", title+" II")
	r = s.do(t, "POST", base+"/"+id+":en:published/revert-published-to-previous", editorKey, "")
	expect(t, r, 200, "_id", id+":en:published", "title", title, "lastPublishedAt", published)
	expect(t, s.do(t, "GET", base+"/"+id+":en:draft", editorKey, ""), 200, "title", title+" II", "modified", "true")
	expect(t, s.do(t, "POST", base+"/"+id+"/revert-published-to-previous", editorKey, ""), 400, "name", "invalid")
	r = s.do(t, "POST", base+"/"+id+":en:published/unpublish", editorKey, "")
	expect(t, r, 200, "_id", id+":en:draft", "modified", "true", "lastPublishedAt", "null")
	expect(t, s.do(t, "GET", base+"/"+id+":en:published", "", ""), 404, "name", "notfound")
	expect(t, s.do(t, "GET", base+"/"+id+":fr:published", "", ""), 200, "aposLocale", "fr:published")
	expect(t, s.do(t, "POST", base+"/"+id+"/unpublish", editorKey, ""), 404, "name", "notfound")
	expect(t, s.do(t, "POST", base+"/nosuchdoc:en:draft/publish", editorKey, ""), 404, "name", "notfound")
	expect(t, s.do(t, "POST", base+"/"+id+"/publish", guestKey, ""), 403, "name", "forbidden")
}
