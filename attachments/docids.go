package attachments

import (
	"context"
	"encoding/json"
	"slices"
)

// Track records which attachments the document fullID (an _id with
// locale and mode) uses now (docs/api-rules.md#201): it is in the docIds
// of each of ids (archivedDocIds instead when the document is archived),
// and in the lists of no other attachment. ids empty: the document uses
// none, or is gone. One transaction on aposproxy_attachments.
func (s *Service) Track(ctx context.Context, fullID string, ids []string, archived bool) error {
	m := s.meta
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	defer tx.Rollback()
	q := "SELECT id, doc FROM " + m.table + " WHERE doc LIKE ?"
	args := []any{`%"` + fullID + `"%`}
	for _, id := range ids {
		q += " OR id = ?"
		args = append(args, id)
	}
	rows, err := tx.QueryContext(ctx, m.db.Rebind(q+m.db.ForUpdate()), args...)
	if err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	changed := map[string][]byte{}
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return m.db.Fail(ctx, err, nil)
		}
		a := new(Attachment)
		if err := json.Unmarshal([]byte(doc), a); err != nil {
			rows.Close()
			return err
		}
		if a.use(fullID, slices.Contains(ids, id), archived) {
			changed[id], _ = json.Marshal(a)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	for id, doc := range changed {
		if _, err := tx.ExecContext(ctx, m.db.Rebind("UPDATE "+m.table+" SET doc = ? WHERE id = ?"), string(doc), id); err != nil {
			return m.db.Fail(ctx, err, nil)
		}
	}
	return m.db.Fail(ctx, tx.Commit(), nil)
}

// use puts docID in docIds (used, not archived), in archivedDocIds (used,
// archived) or in neither; it reports whether a changed.
func (a *Attachment) use(docID string, used, archived bool) bool {
	live, gone := slices.Clone(a.DocIDs), slices.Clone(a.ArchivedDocIDs)
	a.DocIDs = slices.DeleteFunc(a.DocIDs, func(s string) bool { return s == docID })
	a.ArchivedDocIDs = slices.DeleteFunc(a.ArchivedDocIDs, func(s string) bool { return s == docID })
	switch {
	case used && archived:
		a.ArchivedDocIDs = append(a.ArchivedDocIDs, docID)
	case used:
		a.DocIDs = append(a.DocIDs, docID)
	}
	if a.DocIDs == nil {
		a.DocIDs = []string{}
	}
	if a.ArchivedDocIDs == nil {
		a.ArchivedDocIDs = []string{}
	}
	return !slices.Equal(live, a.DocIDs) || !slices.Equal(gone, a.ArchivedDocIDs)
}
