package attachments

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// heldTable keeps the attachment fields of legacy types whose tables
// have no column for them (store = "proxy", docs/api-rules.md#199): one
// JSON object of such fields per type, document, locale and mode, in the
// [attachments] database.
const heldTable = "aposproxy_doc_fields"

func (m *metaStore) createHeld(ctx context.Context) error {
	_, err := m.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+m.db.QuoteName(heldTable)+` (
  doc_type   VARCHAR(190) NOT NULL,
  doc_id     VARCHAR(190) NOT NULL,
  doc_locale VARCHAR(64) NOT NULL,
  doc_mode   VARCHAR(16) NOT NULL,
  fields     `+m.db.LongText()+` NOT NULL,
  PRIMARY KEY (doc_type, doc_id, doc_locale, doc_mode))`)
	return m.db.Fail(ctx, err, nil)
}

// LoadFields returns the held fields of docIDs of typ in scope s, one
// JSON object by aposDocId, in one query.
func (s *Service) LoadFields(ctx context.Context, typ string, sc apos.Scope, docIDs []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(docIDs))
	if len(docIDs) == 0 {
		return out, nil
	}
	m := s.meta
	args := []any{typ, sc.Locale, string(sc.Mode)}
	for _, id := range docIDs {
		args = append(args, id)
	}
	q := "SELECT doc_id, fields FROM " + m.db.QuoteName(heldTable) +
		" WHERE doc_type = ? AND doc_locale = ? AND doc_mode = ? AND doc_id IN (?" + strings.Repeat(", ?", len(docIDs)-1) + ")"
	rows, err := m.db.QueryContext(ctx, m.db.Rebind(q), args...)
	if err != nil {
		return nil, m.db.Fail(ctx, err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		var id, fields string
		if err := rows.Scan(&id, &fields); err != nil {
			return nil, m.db.Fail(ctx, err, nil)
		}
		out[id] = []byte(fields)
	}
	return out, m.db.Fail(ctx, rows.Err(), nil)
}

// SaveFields merges fields (a JSON object) into the held fields of
// docID in scope sc, in one transaction.
func (s *Service) SaveFields(ctx context.Context, typ string, sc apos.Scope, docID string, fields []byte) error {
	m := s.meta
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	defer tx.Rollback()
	t := m.db.QuoteName(heldTable)
	where := " WHERE doc_type = ? AND doc_id = ? AND doc_locale = ? AND doc_mode = ?"
	args := []any{typ, docID, sc.Locale, string(sc.Mode)}
	var cur string
	err = tx.QueryRowContext(ctx, m.db.Rebind("SELECT fields FROM "+t+where+m.db.ForUpdate()), args...).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, m.db.Rebind("INSERT INTO "+t+" (doc_type, doc_id, doc_locale, doc_mode, fields) VALUES (?, ?, ?, ?, ?)"),
			append(args, string(fields))...)
	case err == nil:
		merged := []byte(cur)
		gjson.ParseBytes(fields).ForEach(func(k, v gjson.Result) bool {
			merged, err = sjson.SetRawBytes(merged, k.Str, []byte(v.Raw))
			return err == nil
		})
		if err == nil {
			_, err = tx.ExecContext(ctx, m.db.Rebind("UPDATE "+t+" SET fields = ?"+where), append([]any{string(merged)}, args...)...)
		}
	}
	if err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	return m.db.Fail(ctx, tx.Commit(), nil)
}

// CopyFields makes the held fields of docID in scope to those of scope
// from (none when from has none), as publishing, reverting and
// localizing copy a document's other fields.
func (s *Service) CopyFields(ctx context.Context, typ, docID string, from, to apos.Scope) error {
	m := s.meta
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	defer tx.Rollback()
	t := m.db.QuoteName(heldTable)
	where := " WHERE doc_type = ? AND doc_id = ? AND doc_locale = ? AND doc_mode = ?"
	var fields string
	err = tx.QueryRowContext(ctx, m.db.Rebind("SELECT fields FROM "+t+where), typ, docID, from.Locale, string(from.Mode)).Scan(&fields)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return m.db.Fail(ctx, err, nil)
	}
	found := err == nil
	if _, err := tx.ExecContext(ctx, m.db.Rebind("DELETE FROM "+t+where), typ, docID, to.Locale, string(to.Mode)); err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	if found {
		_, err := tx.ExecContext(ctx, m.db.Rebind("INSERT INTO "+t+" (doc_type, doc_id, doc_locale, doc_mode, fields) VALUES (?, ?, ?, ?, ?)"),
			typ, docID, to.Locale, string(to.Mode), fields)
		if err != nil {
			return m.db.Fail(ctx, err, nil)
		}
	}
	return m.db.Fail(ctx, tx.Commit(), nil)
}

// DeleteFields removes the held fields of docID in the scopes.
func (s *Service) DeleteFields(ctx context.Context, typ, docID string, scopes ...apos.Scope) error {
	m := s.meta
	for _, sc := range scopes {
		_, err := m.db.ExecContext(ctx, m.db.Rebind("DELETE FROM "+m.db.QuoteName(heldTable)+
			" WHERE doc_type = ? AND doc_id = ? AND doc_locale = ? AND doc_mode = ?"), typ, docID, sc.Locale, string(sc.Mode))
		if err != nil {
			return m.db.Fail(ctx, err, nil)
		}
	}
	return nil
}
