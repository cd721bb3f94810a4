package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
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
	t.Parallel()
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

// TestBatchCaps: a batch of more _ids than jobs.max_ids is 400, and a job
// past jobs.max_running_per_caller (API keys are one caller) or
// jobs.max_running is 429 with Apostrophe's error shape and Retry-After;
// once jobs end, others are taken. The long jobs publish ids no product
// has, each a lookup.
func TestBatchCaps(t *testing.T) {
	config := writeConfig(t, "\n[jobs]\nmax_ids = 3000\nmax_running = 2\nmax_running_per_caller = 1\n")
	ids := make([]string, 3001)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprintf("nosuchproduct-%04d", i))
	}
	long := `{"_ids":[` + strings.Join(ids[:3000], ",") + `]}`
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		s := startShopWith(t, e, binary, config)
		editor, admin := testkit.Bearer(s.login(t, "editor")), testkit.Bearer(s.login(t, "admin"))
		expect(t, s.do(t, "POST", "/product/publish", editorKey, `{"_ids":[`+strings.Join(ids, ",")+`]}`), 400,
			"name", "invalid", "data.errors.0.path", "_ids", "data.errors.0.name", "max")
		start := time.Now()
		first := startJob(t, s, "/product/publish", long)
		r := s.do(t, "POST", "/product/publish", adminKey, `{"_ids":["P-1001"]}`)
		expect(t, r, 429, "name", "invalid", "data", "{}", "message", "You are running the most batch jobs allowed at once (1); try again when one has ended.")
		if r.header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After: %v", r.header)
		}
		r = s.do(t, "POST", "/product/publish", "", long, editor...)
		expect(t, r, 200)
		second := gjson.Get(r.body, "jobId").Str
		expect(t, s.do(t, "POST", "/product/publish", "", `{"_ids":["P-1001"]}`, admin...), 429,
			"name", "invalid", "message", "The proxy is running the most batch jobs allowed at once (2); try again when one has ended.")
		expect(t, response{status: 200, body: waitJob(t, s, first)}, 200, "processed", "3000", "bad", "3000")
		expect(t, response{status: 200, body: waitJobAs(t, s, second, editor)}, 200, "processed", "3000", "bad", "3000")
		t.Logf("two jobs of 3000 ids ran in %v", time.Since(start))
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			r := s.do(t, "POST", "/product/publish", "", `{"_ids":["P-1001"]}`, admin...)
			if r.status == 200 {
				break
			}
			if r.status != 429 || time.Now().After(deadline) {
				t.Fatalf("a job once the others ended: %d %s", r.status, r.body)
			}
		}
	})
}

// waitJobAs is waitJob for a job that a logged-in user owns.
func waitJobAs(t *testing.T, s *shop, id string, auth []string) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r := s.do(t, "GET", "/@apostrophecms/job/"+id, "", "", auth...)
		expect(t, r, 200, "_id", id)
		if gjson.Get(r.body, "ended").Bool() {
			return r.body
		}
	}
	t.Fatalf("job %s did not end", id)
	return ""
}
