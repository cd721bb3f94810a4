package sqlbackend

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// jobsTable holds the documents of batch jobs (see package jobs), without
// their items; jobItemsTable holds the items' outcomes, one row each.
const (
	jobsTable     = "aposproxy_jobs"
	jobItemsTable = "aposproxy_job_items"
)

// entriesPerInsert bounds the rows of one INSERT, far below every
// engine's limit on bound parameters.
const entriesPerInsert = 200

// JobStore keeps the documents of batch jobs in the tables aposproxy_jobs
// and aposproxy_job_items of one database, so that they outlive the
// process that ran them. A job's document is stored apart from the
// outcomes of its items, which are appended as the job goes: saving its
// progress writes the new outcomes only, never those saved before. Each
// job row names the runner at work on it and when that runner last said
// it was (runner, heartbeat_at, in Unix milliseconds of its clock): a job
// whose runner stopped saying so is over, whichever instance looks.
type JobStore struct {
	db           *sqldb.DB
	table, items string // quoted
}

// NewJobStore creates the jobs tables on db when they do not exist yet.
func NewJobStore(ctx context.Context, db *sqldb.DB) (*JobStore, error) {
	s := &JobStore{db: db, table: db.QuoteName(jobsTable), items: db.QuoteName(jobItemsTable)}
	for _, create := range []string{
		"CREATE TABLE IF NOT EXISTS " + s.table + ` (
  id    VARCHAR(64)  NOT NULL PRIMARY KEY,
  owner VARCHAR(191) NOT NULL,
  ended INTEGER      NOT NULL,
  doc   ` + db.LongText() + ` NOT NULL,
  runner       VARCHAR(64) NOT NULL DEFAULT '',
  heartbeat_at BIGINT      NOT NULL DEFAULT 0)`,
		"CREATE TABLE IF NOT EXISTS " + s.items + ` (
  job   VARCHAR(64) NOT NULL,
  seq   INTEGER     NOT NULL,
  entry ` + db.LongText() + ` NOT NULL,
  PRIMARY KEY (job, seq))`,
	} {
		if _, err := db.ExecContext(ctx, create); err != nil {
			return nil, db.Fail(ctx, err, nil)
		}
	}
	if err := s.addLeaseColumns(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// leaseColumns are the columns a jobs table made before leases lacks.
var leaseColumns = [...]struct{ name, def string }{
	{"runner", "VARCHAR(64) NOT NULL DEFAULT ''"},
	{"heartbeat_at", "BIGINT NOT NULL DEFAULT 0"},
}

// addLeaseColumns adds runner and heartbeat_at to a jobs table made
// before them: its unfinished jobs then have no lease, and the first
// sweep fails them, as a start did. Two instances starting at once may
// both try: the column the other added is as good.
func (s *JobStore) addLeaseColumns(ctx context.Context) error {
	for _, c := range leaseColumns {
		if s.hasColumn(ctx, c.name) {
			continue
		}
		col := s.db.QuoteName(c.name)
		if _, err := s.db.ExecContext(ctx, "ALTER TABLE "+s.table+" ADD COLUMN "+col+" "+c.def); err != nil && !s.hasColumn(ctx, c.name) {
			return s.fail(ctx, err)
		}
	}
	return nil
}

// hasColumn reports whether the jobs table has the column name. The
// column is qualified: SQLite reads an unknown bare "name" as a string.
func (s *JobStore) hasColumn(ctx context.Context, name string) bool {
	rows, err := s.db.QueryContext(ctx, "SELECT "+s.table+"."+s.db.QuoteName(name)+" FROM "+s.table+" WHERE 1 = 0")
	if err != nil {
		return false
	}
	rows.Close()
	return true
}

// SaveJob stores the document of job id, replacing the one stored before,
// and appends entries to the job's, numbered from first (replacing any
// numbered first or later, so that saving again after a failed save is
// harmless), in one transaction. owner is who may read the job ("" for
// anyone who may read jobs); runner is who works on it, whose lease the
// save renews; ended says whether the job is over.
func (s *JobStore) SaveJob(ctx context.Context, id, owner, runner string, ended bool, doc []byte, first int, entries [][]byte) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, err)
	}
	defer tx.Rollback()
	if err := s.saveDoc(ctx, tx, id, owner, runner, ended, doc); err != nil {
		return s.fail(ctx, err)
	}
	if len(entries) > 0 {
		if err := s.appendEntries(ctx, tx, id, first, entries); err != nil {
			return s.fail(ctx, err)
		}
	}
	return s.fail(ctx, tx.Commit())
}

// saveDoc updates the row of job id, or inserts it.
func (s *JobStore) saveDoc(ctx context.Context, tx *sql.Tx, id, owner, runner string, ended bool, doc []byte) error {
	done := int64(0)
	if ended {
		done = 1
	}
	now := time.Now().UnixMilli()
	res, err := tx.ExecContext(ctx, s.db.Rebind("UPDATE "+s.table+" SET owner = ?, ended = ?, doc = ?, runner = ?, heartbeat_at = ? WHERE id = ?"),
		owner, done, string(doc), runner, now, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, s.db.Rebind("INSERT INTO "+s.table+" (id, owner, ended, doc, runner, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)"),
		id, owner, done, string(doc), runner, now)
	return err
}

// appendEntries inserts entries numbered from first, a few hundred rows a
// statement.
func (s *JobStore) appendEntries(ctx context.Context, tx *sql.Tx, id string, first int, entries [][]byte) error {
	_, err := tx.ExecContext(ctx, s.db.Rebind("DELETE FROM "+s.items+" WHERE job = ? AND seq >= ?"), id, first)
	if err != nil {
		return err
	}
	for len(entries) > 0 {
		n := min(len(entries), entriesPerInsert)
		q := strings.Builder{}
		q.WriteString("INSERT INTO " + s.items + " (job, seq, entry) VALUES ")
		args := make([]any, 0, 3*n)
		for i, e := range entries[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?)")
			args = append(args, id, first+i, string(e))
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(q.String()), args...); err != nil {
			return err
		}
		entries, first = entries[n:], first+n
	}
	return nil
}

// LoadJob returns the owner, document and entries (in order) of job id,
// read together, or ErrNotFound.
func (s *JobStore) LoadJob(ctx context.Context, id string) (owner string, doc []byte, entries [][]byte, err error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return "", nil, nil, s.fail(ctx, err)
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, s.db.Rebind("SELECT owner, doc FROM "+s.table+" WHERE id = ?"), id).Scan(&owner, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil, apos.ErrNotFound
	}
	if err != nil {
		return "", nil, nil, s.fail(ctx, err)
	}
	rows, err := tx.QueryContext(ctx, s.db.Rebind("SELECT entry FROM "+s.items+" WHERE job = ? ORDER BY seq"), id)
	if err != nil {
		return "", nil, nil, s.fail(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e []byte
		if err := rows.Scan(&e); err != nil {
			return "", nil, nil, s.fail(ctx, err)
		}
		entries = append(entries, e)
	}
	return owner, doc, entries, s.fail(ctx, rows.Err())
}

// Heartbeat renews the lease of the unfinished jobs of runner: they are
// still at work.
func (s *JobStore) Heartbeat(ctx context.Context, runner string) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind("UPDATE "+s.table+" SET heartbeat_at = ? WHERE runner = ? AND ended = 0"),
		time.Now().UnixMilli(), runner)
	return s.fail(ctx, err)
}

// StaleJobs lists the jobs that are not over and whose runner last renewed
// their lease before t: that runner is gone.
func (s *JobStore) StaleJobs(ctx context.Context, t time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.db.Rebind("SELECT id FROM "+s.table+" WHERE ended = 0 AND heartbeat_at < ?"), t.UnixMilli())
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
