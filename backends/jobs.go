package backends

import (
	"context"
	"fmt"

	"github.com/aposproxy/aposproxy/backends/sqlbackend"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
)

// jobsFile is the set's name of the SQLite file of [jobs] file; it cannot
// be the name of a configured database, which TOML keys would have to
// quote.
const jobsFile = "[jobs] file"

// JobStore opens where cfg keeps batch jobs: the tables aposproxy_jobs and
// aposproxy_job_items in the [jobs] database, or, when the configuration
// has no database at all, in a SQLite file of its own (its directory is
// created). It is closed with the set.
func (s *Set) JobStore(ctx context.Context, cfg *config.Config) (*sqlbackend.JobStore, error) {
	if name := cfg.Jobs.Database; name != "" {
		db, err := s.database(ctx, cfg, name)
		if err != nil {
			return nil, err
		}
		st, err := sqlbackend.NewJobStore(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("jobs.database: %w", err)
		}
		return st, nil
	}
	db := s.databases[jobsFile]
	if db == nil {
		var err error
		db, err = sqldb.OpenFile(ctx, cfg.Jobs.File)
		if err != nil {
			return nil, fmt.Errorf("jobs.file: %w", err)
		}
		s.databases[jobsFile] = db
	}
	st, err := sqlbackend.NewJobStore(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("jobs.file: %w", err)
	}
	return st, nil
}
