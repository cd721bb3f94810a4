package sqldb

import (
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
)

// postgresDialect is PostgreSQL through pgx's database/sql driver.
type postgresDialect struct{}

func (postgresDialect) engine() string                 { return "postgres" }
func (postgresDialect) longText() string               { return "TEXT" }
func (postgresDialect) driver() string                 { return "pgx" }
func (postgresDialect) dsn(dsn string) (string, error) { return dsn, nil }
func (postgresDialect) bindType() int                  { return sqlx.DOLLAR }
func (postgresDialect) quote(ident string) string      { return quoteWith(`"`, ident) }
func (postgresDialect) text(expr string) string        { return "CAST(" + expr + " AS TEXT)" }
func (postgresDialect) lock() string                   { return " FOR UPDATE" }
func (postgresDialect) selectsBeforeLimit() bool       { return true }
func (postgresDialect) insertMany() string             { return "INSERT INTO " }
func (postgresDialect) analyze(table string) string    { return "ANALYZE " + table }
func (postgresDialect) returning() bool                { return true }
func (postgresDialect) bindTime(t time.Time) any       { return t.UTC() }
func (postgresDialect) bindBool(b bool) any            { return b }
func (postgresDialect) uncached() []any                { return []any{pgx.QueryExecModeSimpleProtocol} }

// nulls: PostgreSQL takes NULL as the largest value; Apostrophe as the
// smallest.
func (postgresDialect) nulls(desc bool) string {
	if desc {
		return " NULLS LAST"
	}
	return " NULLS FIRST"
}

// postgresReasons are the reasons of PostgreSQL's data exceptions.
var postgresReasons = map[string]string{
	"22001": ReasonTooLong, // string_data_right_truncation
	"22003": ReasonRange,   // numeric_value_out_of_range
	"22008": ReasonRange,   // datetime_field_overflow
	"22021": ReasonCharset, // character_not_in_repertoire
	"22P02": ReasonType,    // invalid_text_representation
	"22007": ReasonType,    // invalid_datetime_format
	"22P05": ReasonCharset, // untranslatable_character
}

func (postgresDialect) classify(err error) DriverError {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return DriverError{Class: ClassUnavailable}
	}
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		if pgconn.Timeout(err) {
			return DriverError{Class: ClassTimeout}
		}
		return DriverError{}
	}
	switch {
	case e.Code == "23505": // unique_violation
		// Detail: Key (email)=(a@b.c) already exists.
		col, _, _ := strings.Cut(after(e.Detail, "Key ("), ")")
		return DriverError{Class: ClassConflict, Column: strings.Trim(col, `"`), Hint: e.ConstraintName, Reason: ReasonUnique}
	case e.Code == "23502": // not_null_violation
		return DriverError{Class: ClassRequired, Column: e.ColumnName, Reason: ReasonNotNull}
	case e.Code == "23503": // foreign_key_violation
		if strings.Contains(e.Detail, "still referenced") {
			return DriverError{Class: ClassReferenced}
		}
		// Detail: Key (category_id)=(99) is not present in table "categories".
		col, _, _ := strings.Cut(after(e.Detail, "Key ("), ")")
		return DriverError{Class: ClassInvalid, Column: strings.Trim(col, `"`), Reason: ReasonForeignKey}
	case e.Code == "23514": // check_violation
		return DriverError{Class: ClassInvalid, Column: e.ColumnName, Hint: e.ConstraintName, Reason: ReasonCheck}
	case strings.HasPrefix(e.Code, "22"): // data exceptions: bad type, too long, out of range
		return DriverError{Class: ClassInvalid, Column: e.ColumnName, Reason: postgresReasons[e.Code]}
	case e.Code == "57014": // query_canceled: the deadline
		return DriverError{Class: ClassTimeout}
	case strings.HasPrefix(e.Code, "08"), strings.HasPrefix(e.Code, "53"),
		strings.HasPrefix(e.Code, "57P"), e.Code == "40001", e.Code == "40P01":
		// connection trouble, no resources, shutting down, or a
		// serialization failure or deadlock worth retrying
		return DriverError{Class: ClassUnavailable}
	}
	return DriverError{}
}
