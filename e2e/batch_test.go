package e2e

import (
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// waitJob polls a batch job until it has ended and returns its document.
func waitJob(t *testing.T, s *shop, id string) string {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r := s.do(t, "GET", "/@apostrophecms/job/"+id, editorKey, "")
		expect(t, r, 200, "_id", id)
		if gjson.Get(r.body, "ended").Bool() {
			return r.body
		}
	}
	t.Fatalf("job %s did not end", id)
	return ""
}

// startJob posts a batch route and returns the job's id.
func startJob(t *testing.T, s *shop, path, body string) string {
	t.Helper()
	r := s.do(t, "POST", path, editorKey, body)
	expect(t, r, 200)
	id := gjson.Get(r.body, "jobId").Str
	if id == "" {
		t.Fatalf("no jobId: %s", r.body)
	}
	return id
}

// TestBatch runs the batch routes: they answer a job at once, work in the
// background, and a failed item does not stop the rest.
func TestBatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *shop) {
		t.Run("publish", func(t *testing.T) {
			id := startJob(t, s, "/product/publish", `{"_ids":["P-1004:en:draft","nosuchproduct","P-1006"]}`)
			job := waitJob(t, s, id)
			expect(t, response{status: 200, body: job}, 200, "status", "completed", "total", "3", "good", "2", "bad", "1",
				"percentage", "100.00", "errors.nosuchproduct.name", "notfound", "results.P-1006._id", "P-1006:en:draft")
			expect(t, s.do(t, "GET", "/product/P-1004:en:published", "", ""), 200, "title", "Bright Table (revised)")
			expect(t, s.do(t, "GET", "/@apostrophecms/job/"+id, guestKey, ""), 404, "name", "notfound")
			expect(t, s.do(t, "GET", "/@apostrophecms/job/nosuchjob", editorKey, ""), 404, "name", "notfound")
		})
		t.Run("localize articles", func(t *testing.T) {
			job := waitJob(t, s, startJob(t, s, "/article/localize", `{"_ids":["1","2:en:draft"],"toLocales":["fr"]}`))
			expect(t, response{status: 200, body: job}, 200, "good", "2", "bad", "0")
			expect(t, s.do(t, "GET", "/article/2:fr:draft", editorKey, ""), 200, "title", "Our new workshop, part 2", "modified", "true")
		})
		t.Run("archive needs an archived field", func(t *testing.T) {
			job := waitJob(t, s, startJob(t, s, "/product/archive", `{"_ids":["P-1001"]}`))
			expect(t, response{status: 200, body: job}, 200, "good", "0", "bad", "1", "errors.P-1001.name", "invalid")
			expect(t, s.do(t, "GET", "/product/P-1001:en:published", "", ""), 200, "aposDocId", "P-1001")
		})
		t.Run("refusals", func(t *testing.T) {
			expect(t, s.do(t, "POST", "/product/publish", contributorKey, `{"_ids":["P-1001"]}`), 403, "name", "forbidden")
			expect(t, s.do(t, "POST", "/product/publish", editorKey, `{"_ids":"P-1001"}`), 400, "name", "invalid")
			expect(t, s.do(t, "POST", "/product/localize", editorKey, `{"_ids":["P-1001"],"toLocales":["xx"]}`), 400, "name", "invalid")
			expect(t, s.do(t, "POST", "/category/publish", editorKey, `{"_ids":["1"]}`), 501, "name", "unimplemented", "data.route", "POST /api/v1/category/publish")
		})
	})
}
