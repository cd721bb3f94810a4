package config

import (
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// AttachmentKeys are the keys of a field of kind "attachment"
// (docs/api-rules.md#198).
type AttachmentKeys struct {
	// Store says what the field's column holds: "json" (the attachment
	// object, as Apostrophe keeps it in its documents; the default) or
	// "id" (the attachment's _id only, in a text column), or "proxy":
	// the legacy table has no column for it, and the proxy keeps it in
	// its own table aposproxy_doc_fields (Type.ProxyFields).
	Store string `toml:"store"`
}

// The values of an attachment field's store.
const (
	AttachmentJSON = "json"
	AttachmentID   = "id"
	AttachmentHeld = "proxy"
)

// splitProxyFields moves the fields the proxy keeps itself out of
// t.Fields, so that backends never see them.
func (t *Type) splitProxyFields() {
	fields := t.Fields[:0:0]
	for _, f := range t.Fields {
		if f.IsAttachment() && f.Store == AttachmentHeld {
			t.ProxyFields = append(t.ProxyFields, f)
		} else {
			fields = append(fields, f)
		}
	}
	t.Fields = fields
}

// IsAttachment reports whether f is of kind attachment.
func (f *Field) IsAttachment() bool { return apos.Kind(f.Kind) == apos.Attachment }

// setAttachmentDefaults keeps the attachment object by default.
func (f *Field) setAttachmentDefaults() {
	if f.IsAttachment() {
		setZero(&f.Store, AttachmentJSON)
	}
}

// validateAttachmentFields checks every attachment field: the uploads it
// names are served ([attachments] enabled), it is a database type's
// column, and it is neither searchable nor a sort.
func (c *Config) validateAttachmentFields(errs *errorList) {
	for _, name := range c.TypeOrder {
		t := c.Types[name]
		for i, f := range t.Fields {
			fp := indexKey(joinKey("types", name)+".fields", i)
			if !f.IsAttachment() {
				if f.Store != "" {
					errs.addf(fp+".store", "is only for attachment fields")
				}
				continue
			}
			if f.Store != AttachmentJSON && f.Store != AttachmentID && f.Store != AttachmentHeld {
				errs.addf(fp+".store", `must be "json", "id" or "proxy"`)
			}
			if f.Store == AttachmentHeld && t.Store {
				errs.addf(fp+".store", `a store type keeps every field in its own table: use "json" or "id"`)
			}
			if f.Store == AttachmentHeld && t.IsPageTree() {
				errs.addf(fp+".store", `"proxy" is not served for the page tree`)
			}
			if !c.Attachments.Enabled {
				errs.addf(fp+".kind", "attachment fields need [attachments] enabled = true")
			}
			if t.Database == "" {
				errs.addf(fp+".kind", "attachment fields are only for database types")
			}
			if strings.TrimPrefix(t.Sort, "-") == f.Name {
				errs.addf(fp+".kind", "an attachment field cannot be the type's sort")
			}
			if f.Searchable || f.Template != "" || len(f.Choices) > 0 {
				errs.addf(fp+".kind", "an attachment field cannot be searchable, a template or have choices")
			}
		}
	}
}
