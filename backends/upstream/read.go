package upstream

import (
	"bytes"
	"context"
	"errors"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// current is one variant as read, with what writes need next.
type current struct {
	item gjson.Result // the service's item, kept whole for merges
	rec  adapters.Record
	// pub holds the published variant's writable fields when a draft of a
	// columns type was read and the published variant exists; noPub says
	// that it does not (neither is set when reading it failed).
	pub   []byte
	noPub bool
}

// Get returns one record. A draft of a columns type is read together with
// its published variant, to tell whether the draft is modified.
func (a *Adapter) Get(ctx context.Context, s apos.Scope, docID string) (*adapters.Record, error) {
	if !a.columns || s.Mode != apos.Draft {
		return a.getOne(ctx, s, docID)
	}
	cur, err := a.read(ctx, s, docID)
	if err != nil {
		return nil, err
	}
	return &cur.rec, nil
}

// getOne reads the one variant that Get returns. Its record is all Get
// keeps of the service's answer, so the answer is mapped in fasthttp's
// buffers and released after, never copied.
func (a *Adapter) getOne(ctx context.Context, s apos.Scope, docID string) (*adapters.Record, error) {
	var buf [inlineSlots]gjson.Result
	var held answer
	defer held.release()
	item, vals, err := a.fetchValues(ctx, s, docID, buf[:], &held)
	if err != nil {
		return nil, err
	}
	rec, err := a.recordOf(item, vals, s, nil)
	if err != nil {
		return nil, err
	}
	// The item's key is the one docID names (fetchValues checked it):
	// docID, not a view of the answer about to be released.
	rec.DocID = docID
	return &rec, nil
}

// read fetches the variant of docID in scope s, and for a draft of a
// columns type the published variant at the same time.
func (a *Adapter) read(ctx context.Context, s apos.Scope, docID string) (*current, error) {
	cur := &current{}
	var buf [inlineSlots]gjson.Result
	if !a.columns || s.Mode != apos.Draft {
		item, vals, err := a.fetchValues(ctx, s, docID, buf[:], nil)
		if err != nil {
			return nil, err
		}
		cur.item = item
		cur.rec, err = a.recordOf(item, vals, s, nil)
		return cur, err
	}
	var pub gjson.Result
	var pubErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		pub, pubErr = a.fetch(ctx, apos.Scope{Locale: s.Locale, Mode: apos.Published}, docID)
	}()
	item, vals, err := a.fetchValues(ctx, s, docID, buf[:], nil)
	<-done
	if err != nil {
		return nil, err
	}
	cur.item = item
	if cur.rec, err = a.recordOf(item, vals, s, nil); err != nil {
		return nil, err
	}
	switch {
	case pubErr == nil:
		if cur.pub, err = a.writable(pub); err != nil {
			return nil, err
		}
	case errors.Is(pubErr, apos.ErrNotFound):
		cur.noPub = true
	}
	// When reading the published variant failed otherwise, the draft is
	// still there: whether it differs is not worth failing for.
	cur.rec.Modified = a.modified(item, cur)
	return cur, nil
}

// modified tells whether a draft differs from the published variant that
// cur read along with it.
func (a *Adapter) modified(draft gjson.Result, cur *current) adapters.Tristate {
	switch {
	case cur.noPub:
		return adapters.True
	case cur.pub == nil:
		return adapters.Unknown
	}
	w, err := a.writable(draft)
	switch {
	case err != nil:
		return adapters.Unknown
	case bytes.Equal(w, cur.pub):
		return adapters.False
	}
	return adapters.True
}

// writable renders the fields clients write, leaving out those the proxy
// or the service set (timestamps), which differ between variants anyway.
func (a *Adapter) writable(item gjson.Result) ([]byte, error) {
	var buf [inlineSlots]gjson.Result
	return a.appendFields(nil, a.paths.values(item, buf[:]), a.writableNames)
}

// itemOf finds the item in an answer (whose body is never changed after,
// so the item may point into it).
func (a *Adapter) itemOf(body []byte) (gjson.Result, error) {
	item := gjson.Get(bytesView(body), a.item)
	if !item.IsObject() {
		return gjson.Result{}, garbage(a, "the answer has no item at "+a.item)
	}
	return item, nil
}

// call sends one operation, to route r's URI expanded with v, and returns
// the body of its 2xx answer; other answers become Apostrophe errors.
func (a *Adapter) call(ctx context.Context, r *route, op string, v *vars, body []byte) ([]byte, error) {
	res, err := a.callAnswer(ctx, r, op, v, body, false)
	return res.body, err
}

// callAnswer is call returning the whole answer, which holds fasthttp's
// response when hold is set (request.hold).
func (a *Adapter) callAnswer(ctx context.Context, r *route, op string, v *vars, body []byte, hold bool) (answer, error) {
	buf := uriPool.Get().(*[]byte)
	uri := r.appendURI((*buf)[:0], a.c.base, v)
	res, err := a.callFull(ctx, &request{method: r.method, uri: uri, body: body, hold: hold}, op)
	// Nothing keeps the URI once the call is over (an error holds a copy).
	*buf = uri[:0]
	uriPool.Put(buf)
	return res, err
}

// uriPool recycles the URIs of calls, which fasthttp copies.
var uriPool = sync.Pool{New: func() any { b := make([]byte, 0, 128); return &b }}

// callFull sends req and returns its 2xx answer; other answers become
// Apostrophe errors, read with the type's error mapping.
func (a *Adapter) callFull(ctx context.Context, req *request, op string) (answer, error) {
	req.errs = &a.errs
	if req.write() && a.c.idemHeader != "" {
		req.idemKey = idempotencyKey(ctx, op, req.uri, req.body)
	}
	res, err := a.c.do(ctx, req)
	if err != nil {
		return answer{}, err
	}
	if res.status < 200 || res.status > 299 {
		return answer{}, a.failed(res, op)
	}
	return res, nil
}

// vars translates scope s into the service's values.
func (a *Adapter) vars(s apos.Scope) vars {
	v := vars{locale: s.Locale, mode: string(s.Mode)}
	if l, ok := a.locales[s.Locale]; ok {
		v.locale = l
	}
	if m, ok := a.modes[s.Mode]; ok {
		v.mode = m
	}
	return v
}

// served reports whether the service can hold scope s: a columns type
// holds the draft and published modes only (never Apostrophe's previous
// copy), and a localized type whose service takes no locale holds the
// default locale only.
func (a *Adapter) served(s apos.Scope) bool {
	if a.columns && !s.Mode.Valid() {
		return false
	}
	return !a.schema.Localized || a.allLocales || s.Locale == a.defaultLocale
}
