package e2e

import (
	"io"
	"net/http"
	"testing"

	"github.com/tidwall/gjson"
)

// archiveDoc is the aposDocId of the archive page the proxy keeps.
const archiveDoc = "b64-archive"

// TestPagesArchive archives a page with its subtree by moving it under
// _archive, reads the archive, restores the page and deletes an archived
// one (C61 adapted; docs/api-rules.md#148).
func TestPagesArchive(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		// lastPublishedAt: a legacy live row the proxy did not publish says
		// "published, when unknown" (the pages table has no column for it),
		// null for a page never published.
		expect(t, s.do(t, "GET", pagesBase+"/2:en:draft", editorKey, ""), 200, "lastPublishedAt", "1970-01-01T00:00:00.000Z")
		expect(t, s.do(t, "GET", pagesBase+"/7:en:draft", editorKey, ""), 200, "lastPublishedAt", "")
		if r := s.do(t, "GET", pagesBase+"/7:en:draft", editorKey, ""); gjson.Get(r.body, "lastPublishedAt").Type != gjson.Null {
			t.Fatalf("a page never published has lastPublishedAt null: %s", r.body)
		}

		// The archive exists, empty, and needs ?archived to be read.
		expect(t, s.do(t, "GET", pagesBase+"/_archive?aposMode=draft", editorKey, ""), 404, "name", "notfound")
		r := s.do(t, "GET", pagesBase+"/_archive?aposMode=draft&archived=1", editorKey, "")
		expect(t, r, 200, "_id", archiveDoc+":en:draft", "type", "@apostrophecms/archive-page", "level", "1",
			"archived", "true", "parkedId", "archive", "slug", "/archive", "path", "1/"+archiveDoc, "_children.#", "0")
		if gjson.Get(r.body, "_url").Exists() {
			t.Fatalf("an archived page has no _url: %s", r.body)
		}
		expect(t, s.do(t, "GET", pagesBase+"/"+archiveDoc+":en:published?archived=any", "", ""), 200, "level", "1")

		// About us (2, with 5 and 6 under it) goes to the archive, published copies too.
		r = s.do(t, "PATCH", pagesBase+"/2:en:draft", editorKey, `{"_targetId":"_archive","_position":"lastChild"}`)
		expect(t, r, 200, "archived", "true", "level", "2", "path", "1/"+archiveDoc+"/2", "rank", "0",
			"_ancestors.#", "1", "__changed.0.archived", "true")
		expect(t, s.do(t, "GET", pagesBase+"/5:en:draft", editorKey, ""), 404, "name", "notfound")
		r = s.do(t, "GET", pagesBase+"/5:en:draft?archived=1", editorKey, "")
		expect(t, r, 200, "archived", "true", "level", "3", "path", "1/"+archiveDoc+"/2/5", "_ancestors.#", "3")
		expect(t, s.do(t, "GET", pagesBase+"/5?archived=1", "", ""), 404, "name", "notfound")
		expect(t, s.do(t, "GET", pagesBase+"/2", "", ""), 404, "name", "notfound")
		expect(t, s.do(t, "GET", pagesBase, "", ""), 200, "_children.#", "2", "_children.0.title", "Products")

		r = s.do(t, "GET", pagesBase+"?all=1&aposMode=draft", editorKey, "")
		expect(t, r, 200, "_children.#", "3", "_children.2._id", archiveDoc+":en:draft",
			"_children.2._children.0._id", "2:en:draft", "_children.2._children.0.archived", "true",
			"_children.2._children.0._children.#", "2", "_children.2._children.0._children.0.level", "3")
		expect(t, s.do(t, "GET", pagesBase+"?all=1", "", ""), 200, "_children.#", "3", "_children.2.type",
			"@apostrophecms/archive-page", "_children.2._children.#", "0")
		expect(t, s.do(t, "GET", pagesBase+"?all=1&aposMode=draft&archived=0", editorKey, ""), 200, "_children.#", "2")
		expect(t, s.do(t, "GET", pagesBase+"?all=1&aposMode=draft&archived=1", editorKey, ""), 200,
			"_children.#", "1", "_children.0._children.0._id", "2:en:draft")
		expect(t, s.do(t, "GET", pagesBase+"/_archive?aposMode=draft&archived=1", editorKey, ""), 200,
			"_children.#", "1", "_children.0._id", "2:en:draft", "_children.0.archived", "true")

		// Refusals around the archive.
		expect(t, s.do(t, "PATCH", pagesBase+"/3:en:draft", editorKey, `{"_targetId":"_archive","_position":"after"}`), 400, "name", "invalid")
		expect(t, s.do(t, "PATCH", pagesBase+"/_archive?aposMode=draft", editorKey, `{"_targetId":"3:en:draft","_position":"firstChild"}`), 400,
			"message", "Cannot move the archive")
		expect(t, s.do(t, "DELETE", pagesBase+"/"+archiveDoc+":en:draft", adminKey, ""), 400, "name", "invalid")
		expect(t, s.do(t, "POST", pagesBase+"?aposMode=draft", editorKey, `{"type":"default-page","title":"X","_targetId":"_archive"}`), 400, "name", "invalid")
		// The old parent may go: the archived page is no longer its child.
		expect(t, s.do(t, "GET", pagesBase+"/1:en:draft", editorKey, ""), 200, "_children.#", "2")

		// Restore: About us goes back first under home, its subtree with it.
		r = s.do(t, "PATCH", pagesBase+"/2:en:draft", editorKey, `{"_targetId":"_home","_position":"firstChild"}`)
		expect(t, r, 200, "archived", "false", "level", "1", "path", "1/2", "_url", "/about")
		expect(t, s.do(t, "GET", pagesBase+"/5:en:draft", editorKey, ""), 200, "archived", "false", "path", "1/2/5")
		// The published copy stays archived until the draft is published.
		expect(t, s.do(t, "GET", pagesBase+"/2", "", ""), 404)
		expect(t, s.do(t, "POST", pagesBase+"/2:en:draft/publish", editorKey, ""), 200)
		expect(t, s.do(t, "GET", pagesBase+"/5", "", ""), 200, "path", "1/2/5", "archived", "false")

		// Archive a leaf, then delete it; and "before the archive" is the home's last child.
		expect(t, s.do(t, "PATCH", pagesBase+"/6:en:draft", editorKey, `{"_targetId":"_archive","_position":"firstChild"}`), 200, "archived", "true")
		r = s.do(t, "PATCH", pagesBase+"/5:en:draft", editorKey, `{"_targetId":"`+archiveDoc+`:en:draft","_position":"before"}`)
		expect(t, r, 200, "level", "1", "archived", "false")
		expect(t, s.do(t, "GET", pagesBase+"?aposMode=draft", editorKey, ""), 200, "_children.#", "4", "_children.3._id", "5:en:draft")
		expect(t, s.do(t, "DELETE", pagesBase+"/6:en:draft", adminKey, ""), 200)
		expect(t, s.do(t, "GET", pagesBase+"/_archive?aposMode=draft&archived=1", editorKey, ""), 200, "_children.#", "0")
	})
}

// TestPagesWithPublished adds _publishedDoc to draft pages, in the tree
// and one by one (docs/api-rules.md#22), and refuses a contributor's move
// in published mode (C67 adapted: a move needs the right to write the
// new parent's mode).
func TestPagesWithPublished(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		expect(t, s.do(t, "PATCH", pagesBase+"/2:en:draft", editorKey, `{"title":"About (draft)"}`), 200)
		r := s.do(t, "GET", pagesBase+"?all=1&aposMode=draft&withPublished=1", editorKey, "")
		expect(t, r, 200, "_children.0.title", "About (draft)", "_children.0._publishedDoc.title", "About us",
			"_children.0._publishedDoc.aposMode", "published", "_children.2._children.0.title", "Archive")
		if gjson.Get(r.body, "_children.2._children.0._publishedDoc").Exists() {
			t.Fatalf("a page never published has no _publishedDoc: %s", r.body)
		}
		expect(t, s.do(t, "GET", pagesBase+"/2:en:draft?withPublished=1", editorKey, ""), 200, "_publishedDoc.title", "About us")
		if r := s.do(t, "GET", pagesBase+"/2:en:draft", editorKey, ""); gjson.Get(r.body, "_publishedDoc").Exists() {
			t.Fatalf("_publishedDoc only with withPublished: %s", r.body)
		}
		expect(t, s.do(t, "PATCH", pagesBase+"/5:en:published", contributorKey, `{"_targetId":"3:en:published","_position":"firstChild"}`), 403)
		expect(t, s.do(t, "GET", pagesBase+"/5:en:published", "", ""), 200, "path", "1/2/5")
	})
}

// TestPagesPostKeys covers POST's _newInstance (nothing stored) and
// _copyingId (the copied page's fields under the body's), a PATCH of
// several _patches with a move and an operator (C62 adapted: the shop's
// pages have no area), and GET :_id/locale/:toLocale's redirect to the
// page's URL (docs/api-rules.md#150, #151).
func TestPagesPostKeys(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		r := s.do(t, "POST", pagesBase+"?aposMode=draft", editorKey,
			`{"type":"default-page","_targetId":"2:en:draft","_position":"lastChild","_newInstance":true,"body":"<p>x</p>"}`)
		expect(t, r, 200, "title", "New Page", "slug", "/about/new-page", "visibility", "public", "orphan", "false",
			"_previewable", "true", "type", "default-page", "body", "<p>x</p>")
		expect(t, s.do(t, "GET", pagesBase+"/2:en:draft", editorKey, ""), 200, "_children.#", "2")
		expect(t, s.do(t, "POST", pagesBase+"?aposMode=draft", contributorKey, `{"type":"default-page","_newInstance":true}`), 200, "slug", "/new-page")
		expect(t, s.do(t, "POST", pagesBase, contributorKey, `{"type":"default-page","_newInstance":true}`), 403)

		r = s.do(t, "POST", pagesBase+"?aposMode=draft", editorKey, `{"_copyingId":"5:en:draft","title":"Our team (copy)","_targetId":"3:en:draft"}`)
		expect(t, r, 200, "title", "Our team (copy)", "body", "<p>Our team</p>", "type", "default-page",
			"slug", "/our-team-copy", "level", "2", "_ancestors.1.title", "Products")
		copied := gjson.Get(r.body, "aposDocId").Str
		if copied == "5" || copied == "" {
			t.Fatalf("a copy is a new page: %s", r.body)
		}
		expect(t, s.do(t, "POST", pagesBase+"?aposMode=draft", editorKey, `{"_copyingId":"nosuch:en:draft","title":"X"}`), 404)

		r = s.do(t, "PATCH", pagesBase+"/"+copied+":en:draft", editorKey,
			`{"_patches":[{"title":"First"},{"title":"Second","_targetId":"4:en:draft","_position":"firstChild"},{"body":"<p>2</p>"}]}`)
		expect(t, r, 200, "title", "Second", "body", "<p>2</p>", "path", "1/4/"+copied, "rank", "0")
		expect(t, s.do(t, "PATCH", pagesBase+"/"+copied+":en:draft", editorKey, `{"$push":{"title":"x"}}`), 400, "name", "invalid")

		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(s.base + pagesBase + "/5:en:published/locale/fr")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "/about/team" || gjson.GetBytes(body, "_url").Str != "/about/team" {
			t.Fatalf("locale route: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
	})
}

// TestPagesBatchArchive archives and restores pages with the batch routes.
func TestPagesBatchArchive(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		job := waitJob(t, s, startJob(t, s, pagesBase+"/archive?aposMode=draft", `{"_ids":["6:en:draft","3:en:draft","1:en:draft"]}`))
		expect(t, response{status: 200, body: job}, 200, "total", "3", "good", "2", "bad", "1")
		expect(t, s.do(t, "GET", pagesBase+"/_archive?aposMode=draft&archived=1", editorKey, ""), 200,
			"_children.#", "2", "_children.0._id", "6:en:draft", "_children.1._id", "3:en:draft")
		expect(t, s.do(t, "GET", pagesBase+"/3", "", ""), 404)
		job = waitJob(t, s, startJob(t, s, pagesBase+"/restore?aposMode=draft", `{"_ids":["3:en:draft"]}`))
		expect(t, response{status: 200, body: job}, 200, "good", "1")
		expect(t, s.do(t, "GET", pagesBase+"/3:en:draft", editorKey, ""), 200, "archived", "false", "level", "1")
	})
}
