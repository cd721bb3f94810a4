package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"github.com/valyala/fasthttp"
)

// writer runs create, patch and delete cycles on one type and locale:
// each write request either deletes a document the run created and
// patched, patches one it created, or creates a new one; a document moves
// on in its cycle only once the previous step was answered. Whatever is left
// when the run ends is deleted by cleanup, so a run leaves the target as
// it found it.
type writer struct {
	typeURL   string // .../api/v1/product
	createURL string // the POST URL, with the locale
	locale    string // "" for an unlocalized type
	// body is the JSON object created documents start from; each create
	// gets its own title.
	body []byte
	n    atomic.Int64

	mu                sync.Mutex
	toPatch, toDelete []string // _ids of the run's documents
}

// newWriter prepares the write cycles of typeURL in locale (empty for an
// unlocalized type), creating documents from body.
func newWriter(typeURL, locale string, body []byte) *writer {
	u := typeURL
	if locale != "" {
		u += "?aposLocale=" + locale
	}
	return &writer{typeURL: typeURL, createURL: u, locale: locale, body: body}
}

// next returns the next write of the cycle.
func (w *writer) next() request {
	w.mu.Lock()
	var id string
	var method string
	switch {
	case len(w.toDelete) > 0:
		id, method = w.toDelete[0], http.MethodDelete
		w.toDelete = w.toDelete[1:]
	case len(w.toPatch) > 0:
		id, method = w.toPatch[0], http.MethodPatch
		w.toPatch = w.toPatch[1:]
	}
	w.mu.Unlock()
	n := w.n.Add(1)
	switch method {
	case http.MethodDelete:
		return request{method: method, url: w.typeURL + "/" + id, auth: true}
	case http.MethodPatch:
		body := fmt.Appendf(nil, `{"title":"aposproxy bench %d (patched)"}`, n)
		return request{method: method, url: w.typeURL + "/" + id, body: body, auth: true}
	}
	body, err := sjson.SetBytes(w.body, "title", fmt.Sprintf("aposproxy bench %d", n))
	if err != nil {
		body = w.body // body was checked to be an object when the plan was made
	}
	return request{method: http.MethodPost, url: w.createURL, body: body, auth: true}
}

// created enters a document created by the run, from the POST's response,
// into the cycle. Patches and the deletion go to its draft: deleting a
// draft deletes its published copy too, in Apostrophe and in aposproxy.
func (w *writer) created(body []byte) {
	id := gjson.GetBytes(body, "_id").String()
	if id == "" {
		return
	}
	w.mu.Lock()
	w.toPatch = append(w.toPatch, draftID(id))
	w.mu.Unlock()
}

// patched makes a document whose patch was answered ready to delete;
// deleting it sooner would race the patch.
func (w *writer) patched(id string) {
	w.mu.Lock()
	w.toDelete = append(w.toDelete, id)
	w.mu.Unlock()
}

// draftID is the _id of the draft of a localized document; bare ids of
// unlocalized types are returned as they are.
func draftID(id string) string {
	if strings.Count(id, ":") != 2 {
		return id
	}
	return id[:strings.LastIndexByte(id, ':')] + ":draft"
}

// Cleanup counts what the run left behind and deleted at its end.
type Cleanup struct {
	Deleted int `json:"deleted"`
	// Failed lists the documents that could not be deleted, with why.
	Failed []string `json:"failed,omitempty"`
}

// cleanup deletes every document the run created and did not delete. A
// document already gone (404) counts as deleted.
func (p *plan) cleanup(ctx context.Context, c *fasthttp.Client) *Cleanup {
	if len(p.writers) == 0 {
		return nil
	}
	out := &Cleanup{}
	for _, w := range p.writers {
		w.mu.Lock()
		ids := append(w.toPatch, w.toDelete...)
		w.toPatch, w.toDelete = nil, nil
		w.mu.Unlock()
		for _, id := range ids {
			code, _, err := do(ctx, c, http.MethodDelete, w.typeURL+"/"+id, p.cred, nil)
			switch {
			case err != nil:
				out.Failed = append(out.Failed, id+": "+err.Error())
			case code < 300 || code == http.StatusNotFound:
				out.Deleted++
			default:
				out.Failed = append(out.Failed, fmt.Sprintf("%s: status %d", id, code))
			}
		}
	}
	return out
}
