package proxy

import (
	"context"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Attachments resolves the values of attachment fields
// (docs/api-rules.md#198); attachments.Service implements it. For each
// value (an attachment object or its _id) it gives the object a document
// keeps and the annotated object a document shows, both nil for an
// unknown attachment, in one query for all values.
type Attachments interface {
	Resolve(ctx context.Context, values []gjson.Result) (stored, annotated [][]byte, err error)
	// Track records the attachments the document fullID uses
	// (docIds, archivedDocIds).
	Track(ctx context.Context, fullID string, ids []string, archived bool) error
	HeldFields
}

// SetAttachments serves the attachment fields with a; without it they
// are refused on writes and shown as stored.
func (s *Server) SetAttachments(a Attachments) { s.attachments = a }

// attachmentFields lists d's fields of kind attachment.
func (d *docType) attachmentFields() []string {
	var out []string
	for _, f := range d.schema.Fields {
		if f.Kind == apos.Attachment {
			out = append(out, f.Name)
		}
	}
	return out
}

// convertAttachment accepts what a client sends for an attachment field:
// the object the upload answered (or any object with a string _id), or
// the _id itself. resolveAttachments then checks that it exists.
func convertAttachment(r gjson.Result) (any, string) {
	switch {
	case r.Type == gjson.String && r.Str != "":
		return adapters.RawJSON(r.Raw), ""
	case r.IsObject() && r.Get("_id").Type == gjson.String:
		return adapters.RawJSON(r.Raw), ""
	}
	return nil, "invalid"
}

// resolveAttachments replaces each attachment value of vals by the
// stored attachment, with the crop the client chose; an unknown
// attachment is refused with Apostrophe's field error (400 invalid).
func (s *Server) resolveAttachments(ctx context.Context, d *docType, vals []adapters.Value) error {
	var at []int
	var values []gjson.Result
	for i, v := range vals {
		raw, ok := v.V.(adapters.RawJSON)
		if f := d.fields[v.Field]; ok && f != nil && f.Kind == apos.Attachment {
			at, values = append(at, i), append(values, gjson.ParseBytes(raw))
		}
	}
	if len(at) == 0 {
		return nil
	}
	if s.attachments == nil {
		return apos.Invalid(vals[at[0]].Field, "invalid", "Attachments are not served.")
	}
	stored, _, err := s.attachments.Resolve(ctx, values)
	if err != nil {
		return err
	}
	for j, i := range at {
		if stored[j] == nil {
			return apos.Invalid(vals[i].Field, "invalid", "No such attachment.")
		}
		vals[i].V = adapters.RawJSON(stored[j])
	}
	return nil
}

// annotateAttachments rewrites the attachment fields of recs in place as
// documents show them (_urls, _url...), with one lookup for the whole
// page. A value whose attachment is gone is shown as stored.
func (s *Server) annotateAttachments(ctx context.Context, d *docType, recs []adapters.Record) error {
	names := d.attachments
	if len(names) == 0 || s.attachments == nil || len(recs) == 0 {
		return nil
	}
	if err := s.loadHeld(ctx, d, recs); err != nil {
		return err
	}
	type slot struct{ rec, name int }
	var slots []slot
	var values []gjson.Result
	for i := range recs {
		for j, name := range names {
			if v := gjson.GetBytes(recs[i].Fields, name); v.Exists() && v.Type != gjson.Null {
				slots, values = append(slots, slot{i, j}), append(values, v)
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	_, annotated, err := s.attachments.Resolve(ctx, values)
	if err != nil {
		return err
	}
	for k, sl := range slots {
		if annotated[k] == nil {
			continue
		}
		r := &recs[sl.rec]
		fields, err := sjson.SetRawBytes(append([]byte(nil), r.Fields...), names[sl.name], annotated[k])
		if err != nil {
			return err
		}
		r.Fields = fields
	}
	return nil
}
