package sqldb

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/config"
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDialect is SQLite through modernc.org/sqlite.
type sqliteDialect struct{}

// sqliteTime is the legacy text format SQLite tables keep datetimes in (UTC).
const sqliteTime = "2006-01-02 15:04:05"

// sqliteParams are the connection settings the proxy relies on, added
// to a DSN that does not set them itself: wait for locks instead of failing
// at once, enforce foreign keys,
// and begin every transaction as a writer (BEGIN IMMEDIATE), so that a
// read-then-write transaction never fails halfway to upgrade its lock.
var sqliteParams = []struct{ name, param string }{
	{"busy_timeout", "_pragma=busy_timeout(5000)"},
	{"foreign_keys", "_pragma=foreign_keys(1)"},
	{"_txlock", "_txlock=immediate"},
}

func (sqliteDialect) engine() string   { return "sqlite" }
func (sqliteDialect) longText() string { return "TEXT" }
func (sqliteDialect) driver() string   { return "sqlite" }

func (sqliteDialect) dsn(dsn string) (string, error) {
	_, query, _ := strings.Cut(dsn, "?")
	if _, err := url.ParseQuery(query); err != nil {
		return "", err
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for _, p := range sqliteParams {
		if !strings.Contains(query, p.name) {
			dsn += sep + p.param
			sep = "&"
		}
	}
	return dsn, nil
}

func (sqliteDialect) bindType() int             { return sqlx.QUESTION }
func (sqliteDialect) quote(ident string) string { return quoteWith(`"`, ident) }
func (sqliteDialect) text(expr string) string   { return "CAST(" + expr + " AS TEXT)" }
func (sqliteDialect) nulls(bool) string         { return "" } // NULL is the smallest value
func (sqliteDialect) lock() string              { return "" } // BEGIN IMMEDIATE locks
func (sqliteDialect) selectsBeforeLimit() bool  { return true }
func (sqliteDialect) insertMany() string        { return "INSERT OR FAIL INTO " }
func (sqliteDialect) analyze(_ string) string   { return "" }
func (sqliteDialect) returning() bool           { return true }
func (sqliteDialect) bindTime(t time.Time) any  { return t.UTC().Format(sqliteTime) }
func (sqliteDialect) uncached() []any           { return nil }
func (sqliteDialect) bindBool(b bool) any       { return boolInt(b) }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (sqliteDialect) classify(err error) DriverError {
	code, msg, ok := sqliteError(err)
	if !ok {
		return DriverError{}
	}
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		// "UNIQUE constraint failed: products.email"
		return DriverError{Class: ClassConflict, Hint: after(msg, "constraint failed: "), Reason: ReasonUnique}
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		// "NOT NULL constraint failed: products.name"
		return DriverError{Class: ClassRequired, Hint: after(msg, "constraint failed: "), Reason: ReasonNotNull}
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		// "CHECK constraint failed: price_cents >= 0" (or the constraint's name)
		return DriverError{Class: ClassInvalid, Hint: after(msg, "constraint failed: "), Reason: ReasonCheck}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		// "FOREIGN KEY constraint failed": no column; the adapter
		// knows the table's foreign keys.
		return DriverError{Class: ClassInvalid, Reason: ReasonForeignKey}
	}
	switch code & 0xff {
	case sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_MISMATCH, sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_RANGE:
		return DriverError{Class: ClassInvalid}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY:
		return DriverError{Class: ClassUnavailable}
	case sqlite3.SQLITE_INTERRUPT:
		return DriverError{Class: ClassTimeout}
	}
	return DriverError{}
}

// sqliteError is the result code and message of a driver's or the raw
// read path's error.
func sqliteError(err error) (code int, msg string, ok bool) {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code(), e.Error(), true
	}
	var r *rawError
	if errors.As(err, &r) {
		return r.code, r.msg, true
	}
	return 0, "", false
}

// withJournal is the DSN of cfg with its journal_mode setting (SQLite
// only): the proxy changes a file's journal mode only when asked, and a
// DSN that sets it itself wins.
func withJournal(cfg config.Database) string {
	if cfg.Driver != "sqlite" || cfg.JournalMode == "" || strings.Contains(cfg.DSN, "journal_mode") {
		return cfg.DSN
	}
	sep := "?"
	if strings.Contains(cfg.DSN, "?") {
		sep = "&"
	}
	return cfg.DSN + sep + "_pragma=journal_mode(" + cfg.JournalMode + ")"
}
