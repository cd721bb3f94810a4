package sqlbackend

import (
	"context"
	"database/sql"
	"errors"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// jobsTable holds the documents of batch jobs (see package jobs).
const jobsTable = "aposproxy_jobs"

// JobStore keeps the documents of batch jobs in the table aposproxy_jobs of
// one database, so that they outlive the process that ran them.
type JobStore struct {
	db    *sqldb.DB
	table string // quoted
}

// NewJobStore creates the jobs table on db when it does not exist yet.
func NewJobStore(ctx context.Context, db *sqldb.DB) (*JobStore, error) {
	s := &JobStore{db: db, table: db.QuoteName(jobsTable)}
	_, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+s.table+` (
  id    VARCHAR(64)  NOT NULL PRIMARY KEY,
  owner VARCHAR(191) NOT NULL,
  ended INTEGER      NOT NULL,
  doc   `+db.LongText()+` NOT NULL)`)
	if err != nil {
		return nil, db.Fail(ctx, err, nil)
	}
	return s, nil
}

// SaveJob stores the document of job id, replacing the one stored before.
// owner is who may read it ("" for anyone who may read jobs); ended says
// whether the job is over.
func (s *JobStore) SaveJob(ctx context.Context, id, owner string, ended bool, doc []byte) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, err)
	}
	defer tx.Rollback()
	done := int64(0)
	if ended {
		done = 1
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind("UPDATE "+s.table+" SET owner = ?, ended = ?, doc = ? WHERE id = ?"),
		owner, done, string(doc), id)
	if err != nil {
		return s.fail(ctx, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		_, err = tx.ExecContext(ctx, s.db.Rebind("INSERT INTO "+s.table+" (id, owner, ended, doc) VALUES (?, ?, ?, ?)"),
			id, owner, done, string(doc))
		if err != nil {
			return s.fail(ctx, err)
		}
	}
	return s.fail(ctx, tx.Commit())
}

// LoadJob returns the owner and document of job id, or ErrNotFound.
func (s *JobStore) LoadJob(ctx context.Context, id string) (owner string, doc []byte, err error) {
	err = s.db.QueryRowContext(ctx, s.db.Rebind("SELECT owner, doc FROM "+s.table+" WHERE id = ?"), id).Scan(&owner, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, apos.ErrNotFound
	}
	return owner, doc, s.fail(ctx, err)
}

// UnfinishedJobs lists the jobs that are not over.
func (s *JobStore) UnfinishedJobs(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM "+s.table+" WHERE ended = 0")
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.fail(ctx, err)
		}
		ids = append(ids, id)
	}
	return ids, s.fail(ctx, rows.Err())
}

func (s *JobStore) fail(ctx context.Context, err error) error {
	return s.db.Fail(ctx, err, nil)
}
