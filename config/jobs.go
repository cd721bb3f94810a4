package config

// Jobs says where aposproxy keeps the jobs of batch operations (the table
// aposproxy_jobs), so that a job and its progress outlive a restart. The
// tables of a type's workflow (aposproxy_meta, aposproxy_<table>) always
// live in the type's own database, so that each workflow route is one
// transaction.
type Jobs struct {
	// Database names the [databases] entry that holds the jobs. Default:
	// the database of the first type in the file that has one.
	Database string `toml:"database"`
	// File is the SQLite file that holds them when no database does.
	// Default data/aposproxy-jobs.db, relative to the working directory.
	File string `toml:"file"`
}

// setDefaults picks the first SQL type's database, in file order.
func (j *Jobs) setDefaults(c *Config) {
	for _, name := range c.TypeOrder {
		if t := c.Types[name]; j.Database == "" && t != nil && t.Database != "" {
			j.Database = t.Database
		}
	}
	setZero(&j.File, "data/aposproxy-jobs.db")
}

func (j *Jobs) validate(c *Config, errs *errorList) {
	if _, ok := c.Databases[j.Database]; j.Database != "" && !ok {
		errs.addf("jobs.database", "no database named %q in [databases]", j.Database)
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
