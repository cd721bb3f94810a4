// Package sqldb is the proxy's one SQL layer, on SQLite (modernc.org/sqlite),
// PostgreSQL (pgx) and MySQL/MariaDB (go-sql-driver/mysql): a pooled DB
// opened from a config.Database with the settings the proxy relies on, the
// dialect of its engine (identifier quoting, placeholders, a few
// spellings), transactions of statements written with named parameters,
// and the mapping of driver errors to apos errors. On SQLite files in WAL
// mode, single-row reads (ReadStmt) take a raw path through SQLite's C API
// that spares database/sql's and the driver's allocations (raw.go).
//
// The SQL backend (backends/sqlbackend) maps tables to document types on
// it; the login store and users tables (auth/store, auth/users) keep their
// rows with it. The backend set (package backends) opens each configured
// database once and shares its pool.
package sqldb
