package attachments

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// metaTable holds the attachments, one JSON document a row, as
// Apostrophe's attachments collection does (docs/api-rules.md#196).
const metaTable = "aposproxy_attachments"

// metaStore reads and writes aposproxy_attachments on one database.
type metaStore struct {
	db    *sqldb.DB
	table string // quoted
}

func newMetaStore(ctx context.Context, db *sqldb.DB) (*metaStore, error) {
	m := &metaStore{db: db, table: db.QuoteName(metaTable)}
	_, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+m.table+` (
  id  VARCHAR(64) NOT NULL PRIMARY KEY,
  doc `+db.LongText()+` NOT NULL)`)
	if err != nil {
		return nil, db.Fail(ctx, err, nil)
	}
	if err := m.createHeld(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *metaStore) insert(ctx context.Context, a *Attachment) error {
	doc, _ := json.Marshal(a)
	_, err := m.db.ExecContext(ctx, m.db.Rebind("INSERT INTO "+m.table+" (id, doc) VALUES (?, ?)"), a.ID, string(doc))
	return m.db.Fail(ctx, err, nil)
}

// get returns attachment id, or apos.ErrNotFound.
func (m *metaStore) get(ctx context.Context, id string) (*Attachment, error) {
	var doc string
	err := m.db.QueryRowContext(ctx, m.db.Rebind("SELECT doc FROM "+m.table+" WHERE id = ?"), id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apos.ErrNotFound
	}
	if err != nil {
		return nil, m.db.Fail(ctx, err, nil)
	}
	a := new(Attachment)
	if err := json.Unmarshal([]byte(doc), a); err != nil {
		return nil, err
	}
	return a, nil
}

// update changes attachment id with change, in one transaction that
// locks the row, so that two crops or two documents do not lose each
// other's changes.
func (m *metaStore) update(ctx context.Context, id string, change func(*Attachment) error) error {
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	defer tx.Rollback()
	var doc string
	err = tx.QueryRowContext(ctx, m.db.Rebind("SELECT doc FROM "+m.table+" WHERE id = ?"+m.db.ForUpdate()), id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return apos.ErrNotFound
	}
	if err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	a := new(Attachment)
	if err := json.Unmarshal([]byte(doc), a); err != nil {
		return err
	}
	if err := change(a); err != nil {
		return err
	}
	out, _ := json.Marshal(a)
	if _, err := tx.ExecContext(ctx, m.db.Rebind("UPDATE "+m.table+" SET doc = ? WHERE id = ?"), string(out), id); err != nil {
		return m.db.Fail(ctx, err, nil)
	}
	return m.db.Fail(ctx, tx.Commit(), nil)
}
