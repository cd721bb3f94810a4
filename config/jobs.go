package config

import "time"

// Jobs says where aposproxy keeps the jobs of batch operations (the tables
// aposproxy_jobs and aposproxy_job_items), so that a job and its progress
// outlive a restart, and how many of them may run. The tables of a type's
// workflow (aposproxy_meta, aposproxy_<table>) always live in the type's
// own database, so that each workflow route is one transaction.
type Jobs struct {
	// Database names the [databases] entry that holds the jobs. Default:
	// the database of the first type in the file that has one.
	Database string `toml:"database"`
	// File is the SQLite file that holds them when no database does.
	// Default data/aposproxy-jobs.db, relative to the working directory.
	File string `toml:"file"`
	// MaxIDs caps the _ids of one batch request. Default 1000.
	MaxIDs int `toml:"max_ids"`
	// MaxRunning caps the jobs one proxy process runs at once, and
	// MaxRunningPerCaller those of one caller (a user; API keys, all the
	// nameless System Task, count as one caller). Defaults 8 and 2.
	MaxRunning          int `toml:"max_running"`
	MaxRunningPerCaller int `toml:"max_running_per_caller"`
	// Lease is how long a job outlives the last heartbeat of the instance
	// running it; then any instance marks it failed. Default 30s.
	Lease Duration `toml:"lease"`
}

// The defaults of [jobs]' caps.
const (
	defaultMaxIDs              = 1000
	defaultMaxRunning          = 8
	defaultMaxRunningPerCaller = 2
	defaultLease               = 30 * time.Second
	// minLease leaves room for a heartbeat (every lease/4) that a busy
	// database delays.
	minLease = time.Second
)

// setDefaults picks the database of the first SQL type, in file order,
// that is not read_only: the proxy creates nothing in a database it only
// reads (docs/config.md#read-only).
func (j *Jobs) setDefaults(c *Config) {
	for _, name := range c.TypeOrder {
		if t := c.Types[name]; j.Database == "" && t != nil && t.Database != "" && !t.ReadOnly && !c.Databases[t.Database].ReadOnly {
			j.Database = t.Database
		}
	}
	setZero(&j.File, "data/aposproxy-jobs.db")
	setZero(&j.MaxIDs, defaultMaxIDs)
	setZero(&j.MaxRunning, defaultMaxRunning)
	perCaller := defaultMaxRunningPerCaller
	if j.MaxRunning > 0 {
		perCaller = min(perCaller, j.MaxRunning)
	}
	setZero(&j.MaxRunningPerCaller, perCaller)
	setZero(&j.Lease.Duration, defaultLease)
}

func (j *Jobs) validate(c *Config, errs *errorList) {
	if db, ok := c.Databases[j.Database]; j.Database != "" && !ok {
		errs.addf("jobs.database", "no database named %q in [databases]", j.Database)
	} else if db.ReadOnly {
		errs.addf("jobs.database", "is read_only: the jobs need a database the proxy may write")
	}
	for _, limit := range []struct {
		key string
		n   int
	}{{"jobs.max_ids", j.MaxIDs}, {"jobs.max_running", j.MaxRunning}, {"jobs.max_running_per_caller", j.MaxRunningPerCaller}} {
		if limit.n < 1 {
			errs.addf(limit.key, "must be at least 1")
		}
	}
	if j.Lease.Duration < minLease {
		errs.addf("jobs.lease", "must be at least %s", minLease)
	}
	if j.MaxRunning >= 1 && j.MaxRunningPerCaller > j.MaxRunning {
		errs.addf("jobs.max_running_per_caller", "must not be more than max_running (%d)", j.MaxRunning)
	}
}

// validateOverlay checks a type with storage "overlay" (docs/api-rules.md#14): a
// localized SQL type whose table holds the default locale's published
// records only, its other records living in the proxy's store.
func (t *Type) validateOverlay(path string, errs *errorList) {
	switch {
	case t.Database == "":
		errs.addf(path+".storage", `storage "overlay" is for types with a database`)
	case t.Mode.Column != "":
		errs.addf(path+".mode.column", `is only used with storage "columns"`)
	case t.Locale.Column != "":
		errs.addf(path+".locale.column", `is not used with storage "overlay": the table holds the default locale, the store the others`)
	case !*t.Localized:
		errs.addf(path+".localized", `storage "overlay" is for localized types`)
	}
}
