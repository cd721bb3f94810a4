package sqlbackend

import (
	"bytes"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// A published record that the proxy never published has no lastPublishedAt
// in the store, and an Apostrophe client would take it (and its draft) for
// a document never published. Such records get one from their published
// row (docs/api-rules.md#25): the type's last_published_at field or
// column, else its updatedAt field, else the Unix epoch, which says
// "published, when unknown".

// epoch is the lastPublishedAt of published records whose row tells none.
var epoch = time.Unix(0, 0).UTC()

// memberLastPublishedKey is how the member starts in stored JSON.
var memberLastPublishedKey = []byte(`"` + memberLastPublished + `":`)

// mapSince chooses the column that tells when a published row was last
// published: last_published_at (a field, or a column of the table), else
// the field updatedAt (a datetime), else the one field stamped on every
// update.
func (a *Adapter) mapSince() {
	if !a.schema.Localized {
		return
	}
	name := a.t.LastPublishedAt
	if name == "" {
		name = a.updatedAtField()
	}
	if name == "" {
		return
	}
	a.sinceKind = apos.DateTime
	if i, ok := a.byName[name]; ok {
		a.since, a.sinceKind, a.sinceField = a.fields[i].quoted, a.fields[i].kind, i
		return
	}
	a.since = a.db.QuoteName(name)
}

// updatedAtField names the field that says when a row last changed:
// updatedAt when it is a datetime, else the only datetime field with
// auto = "update"; empty when there is none.
func (a *Adapter) updatedAtField() string {
	if f := a.field("updatedAt"); f != nil && f.kind == apos.DateTime {
		return f.name
	}
	name := ""
	for i, f := range a.schema.Fields {
		if f.Auto == apos.AutoUpdate {
			if name != "" {
				return ""
			}
			name = a.fields[i].name
		}
	}
	return name
}

// sinceColumn is the member of a single-record select list that reads an
// unmapped since column; empty without one (a field's is read anyway).
func (a *Adapter) sinceColumn() string {
	if !a.sinceApart() {
		return ""
	}
	return ", " + a.since
}

// sinceApart reports whether the since column is read beside the fields.
func (a *Adapter) sinceApart() bool { return a.since != "" && a.sinceField < 0 }

// ownSince reports whether a record of scope s takes its lastPublishedAt
// from its own row: a published record, or a draft that is its published
// record (autopublish, an overlay's legacy row). Other drafts take their
// published record's.
func (a *Adapter) ownSince(s apos.Scope) bool {
	return a.schema.Localized && (s.Mode == apos.Published || s.Mode == apos.Draft && !a.compares(s))
}

// appendSince appends the lastPublishedAt member that the since cell c
// gives (nil: no since column) and returns the buffer and the member.
func (a *Adapter) appendSince(dst []byte, c *cell) (buf, member []byte) {
	t, ok := epoch, false
	if c != nil {
		t, ok = sinceTime(c)
	}
	if !ok {
		t = epoch
	}
	start := len(dst)
	dst = append(dst, memberLastPublishedKey...)
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, isoMillis)
	dst = append(dst, '"')
	return dst, dst[start:len(dst):len(dst)]
}

// sinceTime reads a datetime or date cell.
func sinceTime(c *cell) (time.Time, bool) {
	switch c.typ {
	case cellTime:
		return c.t, true
	case cellText:
		t, _, ok := parseDateTime(c.text)
		return t, ok
	}
	return time.Time{}, false
}

// withLastPublished returns the members extra (from the store) with the
// member fallback added when they have no lastPublishedAt of their own.
// A stored member always wins, even null (an unpublished draft).
func withLastPublished(extra, fallback []byte) []byte {
	switch {
	case len(fallback) == 0 || bytes.Contains(extra, memberLastPublishedKey):
		return extra
	case len(extra) == 0:
		return fallback
	}
	out := make([]byte, 0, len(extra)+1+len(fallback))
	return append(append(append(out, extra...), ','), fallback...)
}
