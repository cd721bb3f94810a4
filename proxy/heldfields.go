package proxy

import (
	"context"
	"errors"
	"slices"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// HeldFields keeps the fields of a type that its backend has no place
// for (store = "proxy", docs/api-rules.md#199), one JSON object per
// type, aposDocId, locale and mode; attachments.Service implements it.
type HeldFields interface {
	LoadFields(ctx context.Context, typ string, s apos.Scope, docIDs []string) (map[string][]byte, error)
	SaveFields(ctx context.Context, typ string, s apos.Scope, docID string, fields []byte) error
	CopyFields(ctx context.Context, typ, docID string, from, to apos.Scope) error
	DeleteFields(ctx context.Context, typ, docID string, scopes ...apos.Scope) error
}

// previousMode keeps the held fields of the published document that a
// publish replaced, for revert-published-to-previous.
const previousMode apos.Mode = "previous"

// addHeld adds t's proxy-held fields to d's schema: the proxy serves
// them like the others; the backend never sees them.
func (d *docType) addHeld(t *config.Type) {
	if len(t.ProxyFields) == 0 {
		return
	}
	s := *d.schema
	s.Fields = slices.Clone(s.Fields)
	for i := range t.ProxyFields {
		s.Fields = append(s.Fields, t.ProxyFields[i].APIField())
		d.held = append(d.held, t.ProxyFields[i].Name)
	}
	d.schema = &s
	for i := range s.Fields {
		d.fields[s.Fields[i].Name] = &s.Fields[i]
	}
}

// heldScope is where the held fields of a record of scope s are kept: a
// type without drafts has one record for both modes.
func (d *docType) heldScope(s apos.Scope) apos.Scope {
	if !d.hasDrafts() {
		s.Mode = apos.Published
	}
	return s
}

// loadHeld adds the held fields to recs, in one query per scope (one for
// a page of results).
func (s *Server) loadHeld(ctx context.Context, d *docType, recs []adapters.Record) error {
	if len(d.held) == 0 {
		return nil
	}
	byScope := map[apos.Scope][]int{}
	for i := range recs {
		sc := d.heldScope(recs[i].Scope)
		byScope[sc] = append(byScope[sc], i)
	}
	for sc, at := range byScope {
		ids := make([]string, len(at))
		for j, i := range at {
			ids[j] = recs[i].DocID
		}
		docs, err := s.attachments.LoadFields(ctx, d.name, sc, ids)
		if err != nil {
			return err
		}
		// A draft whose held fields differ from the published
		// document's is modified, whatever the backend says.
		var pub map[string][]byte
		if sc.Mode == apos.Draft && d.hasDrafts() {
			if pub, err = s.attachments.LoadFields(ctx, d.name, apos.Scope{Locale: sc.Locale, Mode: apos.Published}, ids); err != nil {
				return err
			}
		}
		for _, i := range at {
			fields := append([]byte(nil), recs[i].Fields...)
			if len(fields) < 2 {
				fields = []byte("{}")
			}
			for _, name := range d.held {
				raw := []byte("null")
				if v := gjson.GetBytes(docs[recs[i].DocID], name); v.Exists() {
					raw = []byte(v.Raw)
				}
				if fields, err = sjson.SetRawBytes(fields, name, raw); err != nil {
					return err
				}
			}
			recs[i].Fields = fields
			if pub != nil && recs[i].Modified == adapters.False && d.heldDiffer(docs[recs[i].DocID], pub[recs[i].DocID]) {
				recs[i].Modified = adapters.True
			}
		}
	}
	return nil
}

// heldDiffer reports whether two documents' held fields differ.
func (d *docType) heldDiffer(a, b []byte) bool {
	for _, name := range d.held {
		x, y := gjson.GetBytes(a, name), gjson.GetBytes(b, name)
		if x.Type == gjson.Null {
			x.Raw = ""
		}
		if y.Type == gjson.Null {
			y.Raw = ""
		}
		if x.Raw != y.Raw {
			return true
		}
	}
	return false
}

// splitHeld takes the held fields out of vals: the backend's values, and
// the held ones as a JSON object (nil when there are none).
func (d *docType) splitHeld(vals []adapters.Value) ([]adapters.Value, []byte) {
	if len(d.held) == 0 {
		return vals, nil
	}
	var held []byte
	rest := vals[:0:0]
	for _, v := range vals {
		if !slices.Contains(d.held, v.Field) {
			rest = append(rest, v)
			continue
		}
		raw := []byte("null")
		if r, ok := v.V.(adapters.RawJSON); ok {
			raw = r
		}
		if held == nil {
			held = []byte("{}")
		}
		held, _ = sjson.SetRawBytes(held, v.Field, raw)
	}
	return rest, held
}

// saveHeld keeps held for docID in scope sc and, for a create in
// published mode, in the draft too.
func (s *Server) saveHeld(ctx context.Context, d *docType, docID string, held []byte, scopes ...apos.Scope) error {
	if held == nil || s.attachments == nil {
		return nil // without attachments, only empty values got here
	}
	for _, sc := range scopes {
		if err := s.attachments.SaveFields(ctx, d.name, d.heldScope(sc), docID, held); err != nil {
			return err
		}
	}
	return nil
}

// deletedHeld removes the held fields of a deleted record: deleting a
// draft deletes the published record of its locale too.
func (s *Server) deletedHeld(ctx context.Context, d *docType, docID string, sc apos.Scope) error {
	if len(d.held) == 0 || s.attachments == nil {
		return nil
	}
	scopes := []apos.Scope{d.heldScope(sc)}
	if sc.Mode == apos.Draft && d.hasDrafts() {
		scopes = append(scopes, apos.Scope{Locale: sc.Locale, Mode: apos.Published}, apos.Scope{Locale: sc.Locale, Mode: previousMode})
	}
	return s.attachments.DeleteFields(ctx, d.name, docID, scopes...)
}

// trackDoc brings the docIds and archivedDocIds of the attachments that
// docID uses in locale up to date after a write (docs/api-rules.md#201).
// The write has committed: a failure is logged, and the next write of
// the document repairs it.
func (s *Server) trackDoc(ctx context.Context, d *docType, docID, locale string) {
	if len(d.attachments) == 0 || s.attachments == nil {
		return
	}
	modes := []apos.Mode{apos.Published}
	if d.hasDrafts() {
		modes = append(modes, apos.Draft)
	}
	for _, m := range modes {
		sc := apos.Scope{Locale: locale, Mode: m}
		var ids []string
		archived := false
		rec, err := d.backend.Get(ctx, sc, docID)
		if err == nil {
			recs := []adapters.Record{*rec}
			if err = s.loadHeld(ctx, d, recs); err == nil {
				archived = gjson.GetBytes(recs[0].Fields, "archived").Bool()
				for _, name := range d.attachments {
					if id := attachmentID(gjson.GetBytes(recs[0].Fields, name)); id != "" {
						ids = append(ids, id)
					}
				}
			}
		}
		if err != nil && !errors.Is(err, apos.ErrNotFound) {
			s.log.Warn("attachments: docIds not updated", "type", d.name, "doc", docID, "err", err)
			continue
		}
		full := string(apos.AppendID(nil, docID, apos.Scope{Locale: locale, Mode: m}))
		if !d.schema.Localized {
			full = docID
		}
		if err := s.attachments.Track(ctx, full, ids, archived); err != nil {
			s.log.Warn("attachments: docIds not updated", "type", d.name, "doc", docID, "err", err)
		}
	}
}

// attachmentID is the _id an attachment field's value names.
func attachmentID(v gjson.Result) string {
	if v.Type == gjson.String {
		return v.Str
	}
	return v.Get("_id").String()
}
