package attachments

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/tidwall/gjson"
)

// Resolve serves the attachment fields of documents (docs/api-rules.md#198):
// for each value (an attachment object with _id and maybe crop, or an
// _id string) it returns the object a document keeps (the stored
// attachment with the value's crop) and its annotated form, as
// Apostrophe renders a document's attachment (_urls, _url, _crop); both
// nil for an unknown _id. All values take one query.
func (s *Service) Resolve(ctx context.Context, values []gjson.Result) (stored, annotated [][]byte, err error) {
	ids := make([]string, 0, len(values))
	for _, v := range values {
		if id := valueID(v); id != "" {
			ids = append(ids, id)
		}
	}
	found, err := s.meta.getMany(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	stored, annotated = make([][]byte, len(values)), make([][]byte, len(values))
	for i, v := range values {
		a := found[valueID(v)]
		if a == nil {
			continue
		}
		doc := *a
		doc.Crop = nil
		if c, ok := readCrop(v.Get("crop")); ok && c.Width > 0 && c.Height > 0 {
			doc.Crop = &c
		}
		// The document keeps no docIds: they change with other
		// documents, and reads show the current ones.
		keep := doc
		keep.DocIDs, keep.ArchivedDocIDs = []string{}, []string{}
		stored[i], _ = json.Marshal(&keep)
		annotated[i] = doc.annotate(s.base, doc.Crop, Group{Name: doc.Group, Image: s.cfg.FileGroups[doc.Group].Image})
	}
	return stored, annotated, nil
}

// valueID is the _id an attachment field's value names, "" for none.
func valueID(v gjson.Result) string {
	if v.Type == gjson.String {
		return v.Str
	}
	if id := v.Get("_id"); id.Type == gjson.String {
		return id.Str
	}
	return ""
}

// getMany reads the attachments of ids in one query, by id; unknown
// ids are absent.
func (m *metaStore) getMany(ctx context.Context, ids []string) (map[string]*Attachment, error) {
	out := make(map[string]*Attachment, len(ids))
	var args []any
	seen := map[string]bool{}
	for _, id := range ids {
		if validID(id) && !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	q := "SELECT doc FROM " + m.table + " WHERE id IN (?" + strings.Repeat(", ?", len(args)-1) + ")"
	rows, err := m.db.QueryContext(ctx, m.db.Rebind(q), args...)
	if err != nil {
		return nil, m.db.Fail(ctx, err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, m.db.Fail(ctx, err, nil)
		}
		a := new(Attachment)
		if err := json.Unmarshal([]byte(doc), a); err != nil {
			return nil, err
		}
		out[a.ID] = a
	}
	return out, m.db.Fail(ctx, rows.Err(), nil)
}
