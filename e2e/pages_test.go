package e2e

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/tidwall/gjson"
)

// The shop's page tree (examples/shop): 1 Home, under it 2 About us
// (5 Our team, 6 History), 3 Products and 4 Blog (7 Archive, a draft
// only), in en and fr, draft and published.
const pagesBase = "/@apostrophecms/page"

// TestPagesRead is the navigation a front end builds: the home page with
// its children, the whole tree nested and flat, a page with its
// ancestors, lists by type and autocomplete (C49, C54, C55, C64, C66).
func TestPagesRead(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		r := s.do(t, "GET", pagesBase, "", "")
		expect(t, r, 200, "_id", "1:en:published", "slug", "/", "level", "0", "path", "1",
			"type", "@apostrophecms/home-page", "_ancestors.#", "0", "_children.#", "3",
			"_children.0.title", "About us", "_children.1.rank", "1", "_children.2.slug", "/blog",
			"_children.0.path", "1/2", "_children.0.level", "1", "_children.0._url", "/about")
		if gjson.Get(r.body, config_parent).Exists() {
			t.Fatalf("the parent's key is not rendered: %s", r.body)
		}
		expect(t, s.do(t, "GET", pagesBase+"?aposLocale=fr", "", ""), 200, "title", "Accueil", "_children.0.title", "À propos")

		r = s.do(t, "GET", pagesBase+"?all=1&aposMode=draft", editorKey, "")
		expect(t, r, 200, "_id", "1:en:draft", "_children.#", "4", "_children.0._children.#", "2",
			"_children.3.type", "@apostrophecms/archive-page", "_children.3.archived", "true", "_children.3.level", "1",
			"_children.0._children.1.title", "History", "_children.0._children.1.path", "1/2/6",
			"_children.2._children.0.title", "Archive", "_children.2._children.0.level", "2")
		if gjson.Get(r.body, "_children.0.body").Exists() {
			t.Fatalf("?all=1 is a light projection: %s", r.body)
		}
		expect(t, s.do(t, "GET", pagesBase+"?all=1", "", ""), 200, "_children.2._children.#", "0")
		r = s.do(t, "GET", pagesBase+"?all=1&flat=1&aposLocale=fr", "", "")
		expect(t, r, 200, "results.#", "7", "results.0._children.#", "4", "results.0._children.0", "2:fr:published",
			"results.6.slug", "/archive", "results.6.parkedId", "archive",
			"results.1._id", "2:fr:published", "results.2._id", "5:fr:published", "results.4._id", "3:fr:published")

		r = s.do(t, "GET", pagesBase+"/5", "", "")
		expect(t, r, 200, "_id", "5:en:published", "level", "2", "path", "1/2/5", "_ancestors.#", "2",
			"_ancestors.0.slug", "/", "_ancestors.1.title", "About us", "_children.#", "0")
		expect(t, s.do(t, "GET", pagesBase+"/2:en:published", "", ""), 200, "_children.#", "2",
			"_children.0.title", "Our team", "_children.1.title", "History")
		expect(t, s.do(t, "GET", pagesBase+"/_home?aposLocale=fr", "", ""), 200, "_id", "1:fr:published")
		expect(t, s.do(t, "GET", pagesBase+"/nosuch:en:published", "", ""), 404, "name", "notfound")
		expect(t, s.do(t, "GET", pagesBase+"/7:en:published", "", ""), 404, "name", "notfound")

		expect(t, s.do(t, "GET", pagesBase+"?type=default-page", "", ""), 200, "results.#", "3", "pages", "1", "currentPage", "1")
		expect(t, s.do(t, "GET", pagesBase+"?autocomplete=hist", editorKey, ""), 200, "results.#", "1", "results.0.slug", "/about/history")

		r = s.do(t, "GET", pagesBase, editorKey, "")
		etag := r.header.Get("ETag")
		if r2 := s.do(t, "GET", pagesBase, editorKey, "", "If-None-Match", etag); etag == "" || r2.status != 304 {
			t.Fatalf("home page ETag %q: %d", etag, r2.status)
		}
	})
}

// config_parent is the member a page never shows: the parent's key.
const config_parent = "_parentKey"

// TestPagesWrite is an editor's tour: create a page under About us, move
// it first, publish it, move it away, delete it; and every refusal of
// moves and deletes (C50 to C59, C61 adapted, C67's 403 for contributors).
func TestPagesWrite(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, s *shop) {
		r := s.do(t, "POST", pagesBase+"?aposMode=draft", contributorKey,
			`{"type":"default-page","title":"Careers","_targetId":"2:en:draft","_position":"lastChild"}`)
		expect(t, r, 200, "aposMode", "draft", "level", "2", "rank", "2", "slug", "/careers", "_ancestors.#", "2")
		id := gjson.Get(r.body, "aposDocId").Str
		if gjson.Get(r.body, "path").Str != "1/2/"+id {
			t.Fatalf("path: %s", r.body)
		}
		r = s.do(t, "PATCH", pagesBase+"/"+id+":en:draft", contributorKey, `{"_targetId":"2:en:draft","_position":"firstChild"}`)
		expect(t, r, 200, "rank", "0", "__changed.0._id", id+":en:draft")
		r = s.do(t, "GET", pagesBase+"/2:en:draft", editorKey, "")
		expect(t, r, 200, "_children.#", "3", "_children.0._id", id+":en:draft", "_children.1.rank", "1", "_children.2.rank", "2")

		expect(t, s.do(t, "POST", pagesBase+"/"+id+":en:draft/publish", contributorKey, ""), 403, "name", "forbidden")
		expect(t, s.do(t, "POST", pagesBase+"/"+id+":en:draft/publish", editorKey, ""), 200, "modified", "false")
		expect(t, s.do(t, "GET", pagesBase+"/"+id+":en:published", "", ""), 200, "level", "2", "rank", "0", "_ancestors.1.title", "About us")

		// Numeric positions, before and after, and slugs that follow.
		r = s.do(t, "PATCH", pagesBase+"/"+id+":en:draft", editorKey, `{"_targetId":"_home","_position":1}`)
		expect(t, r, 200, "level", "1", "rank", "1", "slug", "/careers")
		expect(t, s.do(t, "GET", pagesBase+"?aposMode=draft", editorKey, ""), 200, "_children.1._id", id+":en:draft", "_children.2.rank", "2")
		r = s.do(t, "PATCH", pagesBase+"/5:en:draft", editorKey, `{"_targetId":"3:en:draft","_position":"firstChild"}`)
		expect(t, r, 200, "slug", "/products/team", "path", "1/3/5", "level", "2")
		r = s.do(t, "PATCH", pagesBase+"/5:en:draft", editorKey, `{"_targetId":"6:en:draft","_position":"after"}`)
		expect(t, r, 200, "slug", "/about/team", "path", "1/2/5", "rank", "3")
		r = s.do(t, "PATCH", pagesBase+"/5:en:draft", editorKey, `{"_targetId":"6:en:draft","_position":"before"}`)
		expect(t, r, 200, "rank", "2", "__changed.1._id", "6:en:draft", "__changed.1.rank", "3")
		r = s.do(t, "PATCH", pagesBase+"/2:en:draft", editorKey, `{"title":"About","_targetId":"4:en:draft","_position":"firstChild"}`)
		expect(t, r, 200, "title", "About", "slug", "/blog/about", "path", "1/4/2")
		expect(t, s.do(t, "GET", pagesBase+"/5:en:draft", editorKey, ""), 200, "slug", "/blog/about/team", "path", "1/4/2/5", "level", "3")
		expect(t, s.do(t, "GET", pagesBase+"/5:en:published", editorKey, ""), 200, "slug", "/about/team", "path", "1/2/5")

		// Refusals: nothing changes.
		for _, tc := range []struct{ page, body string }{
			{"1", `{"_targetId":"3:en:draft","_position":"firstChild"}`},
			{"2", `{"_targetId":"5:en:draft","_position":"firstChild"}`},
			{"2", `{"_targetId":"2:en:draft","_position":"lastChild"}`},
			{"2", `{"_targetId":"3:en:draft","_position":"sideways"}`},
			{"2", `{"_targetId":"nosuch:en:draft","_position":"firstChild"}`},
			{"2", `{"_targetId":"1:en:draft","_position":"after"}`},
			{"2", `{"type":"no-such-page-type"}`},
		} {
			r := s.do(t, "PATCH", pagesBase+"/"+tc.page+":en:draft", editorKey, tc.body)
			want := map[string]int{"1": 400}[tc.page]
			switch tc.body {
			case `{"_targetId":"5:en:draft","_position":"firstChild"}`, `{"_targetId":"2:en:draft","_position":"lastChild"}`:
				want = 403
			case "":
			default:
				if want == 0 {
					want = 400
				}
			}
			if r.status != want {
				t.Fatalf("PATCH %s %s: %d, want %d: %s", tc.page, tc.body, r.status, want, r.body)
			}
		}
		expect(t, s.do(t, "PATCH", pagesBase+"/2:en:draft", editorKey, `{"_targetId":"5:en:draft","_position":"firstChild"}`), 403,
			"message", "Cannot move a page under itself")
		expect(t, s.do(t, "PATCH", pagesBase+"/1:en:draft", editorKey, `{"_targetId":"3:en:draft","_position":"firstChild"}`), 400,
			"message", "Cannot move the home page")
		expect(t, s.do(t, "PATCH", pagesBase+"/2:en:draft", editorKey, `{"_targetId":"nosuch:en:draft","_position":"firstChild"}`), 400,
			"message", "No such page")
		expect(t, s.do(t, "GET", pagesBase+"/2:en:draft", editorKey, ""), 200, "path", "1/4/2", "title", "About")

		expect(t, s.do(t, "POST", pagesBase, editorKey, `{"type":"nope","title":"X"}`), 400, "name", "invalid")
		expect(t, s.do(t, "POST", pagesBase, editorKey, `{"title":"X"}`), 400, "name", "invalid")
		expect(t, s.do(t, "POST", pagesBase, editorKey, `{"type":"default-page","title":"X","_targetId":"nosuch"}`), 404, "name", "notfound")
		expect(t, s.do(t, "POST", pagesBase, editorKey, `{"type":"default-page","title":"X","_position":"inside"}`), 400, "name", "invalid")
		expect(t, s.do(t, "POST", pagesBase, "", `{"type":"default-page","title":"X"}`), 403, "name", "forbidden")
		expect(t, s.do(t, "POST", pagesBase, contributorKey, `{"type":"default-page","title":"X"}`), 403, "name", "forbidden")
		// A published page under a parent that was never published.
		expect(t, s.do(t, "POST", pagesBase, editorKey, `{"type":"default-page","title":"X","_targetId":"7:en:draft"}`), 403,
			"message", "Publish the parent page first.")
		r = s.do(t, "POST", pagesBase+"?aposMode=draft", editorKey, `{"type":"default-page","title":"Old posts","_targetId":"7"}`)
		expect(t, r, 200, "level", "3")
		child := gjson.Get(r.body, "aposDocId").Str
		expect(t, s.do(t, "POST", pagesBase+"/"+child+"/publish", editorKey, ""), 403, "message", "Publish the parent page first.")
		expect(t, s.do(t, "POST", pagesBase+"/7/publish", editorKey, ""), 200)
		expect(t, s.do(t, "POST", pagesBase+"/"+child+"/publish", editorKey, ""), 200)
		expect(t, s.do(t, "GET", pagesBase+"/"+child, "", ""), 200, "path", "1/4/7/"+child, "level", "3")

		// Deletes.
		expect(t, s.do(t, "DELETE", pagesBase+"/1:en:draft", adminKey, ""), 400, "message", "The home page may not be removed.")
		expect(t, s.do(t, "DELETE", pagesBase+"/7:en:draft", adminKey, ""), 400, "message", "You must delete the children of this page first.")
		expect(t, s.do(t, "DELETE", pagesBase+"/"+id+":en:draft", contributorKey, ""), 403, "name", "forbidden")
		expect(t, s.do(t, "DELETE", pagesBase+"/"+id+":en:draft", adminKey, ""), 200)
		expect(t, s.do(t, "GET", pagesBase+"/"+id+":en:draft", adminKey, ""), 404, "name", "notfound")
		expect(t, s.do(t, "DELETE", pagesBase+"/"+id+":en:draft", adminKey, ""), 404, "name", "notfound")
	})
}

// TestPagesConcurrentMoves moves siblings at once: afterwards their ranks
// are still distinct (a permutation, in one transaction per move).
func TestPagesConcurrentMoves(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *shop) {
		var ids []string
		for i := range 6 {
			r := s.do(t, "POST", pagesBase+"?aposMode=draft", editorKey,
				fmt.Sprintf(`{"type":"default-page","title":"Sibling %d","_targetId":"3:en:draft"}`, i))
			expect(t, r, 200)
			ids = append(ids, gjson.Get(r.body, "aposDocId").Str)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 64)
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 5 {
					pos := []string{`"firstChild"`, `"lastChild"`, `2`, `"before"`, `"after"`}[(w+i)%5]
					target := "3:en:draft"
					if pos == `"before"` || pos == `"after"` {
						target = ids[(w+i+1)%len(ids)] + ":en:draft"
					}
					r := s.do(t, "PATCH", pagesBase+"/"+ids[w]+":en:draft", editorKey,
						`{"_targetId":"`+target+`","_position":`+pos+`}`)
					if r.status != 200 {
						errs <- fmt.Sprintf("%d %s", r.status, r.body)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Fatal(e)
		}
		r := s.do(t, "GET", pagesBase+"/3:en:draft", editorKey, "")
		expect(t, r, 200, "_children.#", "6")
		var ranks []int
		for _, c := range gjson.Get(r.body, "_children.#.rank").Array() {
			ranks = append(ranks, int(c.Int()))
		}
		sort.Ints(ranks)
		for i := 1; i < len(ranks); i++ {
			if ranks[i] == ranks[i-1] {
				t.Fatalf("ranks not distinct after concurrent moves: %v", ranks)
			}
		}
	})
}
