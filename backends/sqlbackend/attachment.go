package sqlbackend

import (
	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/tidwall/gjson"
)

// asAttachment makes field f of kind attachment a column of what it
// holds (docs/api-rules.md#198): the attachment object, read and written
// as a json field, or its _id, as a string field whose writes keep the
// _id of the object the proxy hands over.
func (f *field) asAttachment(cf *config.Field) {
	if !cf.IsAttachment() {
		return
	}
	f.kind = apos.JSON
	if cf.Store == config.AttachmentID {
		f.kind, f.attachID = apos.String, true
	}
}

// attachmentID is the _id of the attachment object v, for a column that
// keeps ids only; other values pass through.
func attachmentID(v any) any {
	if raw, ok := v.(adapters.RawJSON); ok {
		if id := gjson.GetBytes(raw, "_id"); id.Type == gjson.String {
			return id.Str
		}
	}
	return v
}
