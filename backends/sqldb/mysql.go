package sqldb

import (
	"errors"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// mysqlDialect is MySQL and MariaDB through go-sql-driver/mysql.
type mysqlDialect struct{}

func (mysqlDialect) engine() string   { return "mysql" }
func (mysqlDialect) longText() string { return "MEDIUMTEXT" }
func (mysqlDialect) driver() string   { return "mysql" }

// dsn makes DATETIME and DATE columns scan as time.Time in UTC and bounds
// the dial. multiStatements stays off: the proxy never needs it. Rows
// affected count the rows matched, as on the other engines, so that a
// configured statement's expected count means the same everywhere.
func (mysqlDialect) dsn(dsn string) (string, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", err
	}
	cfg.ParseTime = true
	cfg.ClientFoundRows = true
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return cfg.FormatDSN(), nil
}

func (mysqlDialect) bindType() int             { return sqlx.QUESTION }
func (mysqlDialect) quote(ident string) string { return quoteWith("`", ident) }
func (mysqlDialect) text(expr string) string   { return "CAST(" + expr + " AS CHAR)" }
func (mysqlDialect) nulls(bool) string         { return "" } // NULL is the smallest value
func (mysqlDialect) lock() string              { return " FOR UPDATE" }
func (mysqlDialect) selectsBeforeLimit() bool  { return false }
func (mysqlDialect) insertMany() string        { return "INSERT INTO " }
func (mysqlDialect) analyze(_ string) string   { return "" }
func (mysqlDialect) returning() bool           { return false }
func (mysqlDialect) bindTime(t time.Time) any  { return t.UTC() }
func (mysqlDialect) uncached() []any           { return nil }
func (mysqlDialect) bindBool(b bool) any       { return b }

// classify reads MySQL's and MariaDB's error numbers; the column, when
// there is one, is only in the message text.
func (mysqlDialect) classify(err error) DriverError {
	if errors.Is(err, mysql.ErrInvalidConn) {
		return DriverError{Class: ClassUnavailable}
	}
	var e *mysql.MySQLError
	if !errors.As(err, &e) {
		return DriverError{}
	}
	msg := e.Message
	switch e.Number {
	case 1062, 1586: // Duplicate entry 'x' for key 'products.email'
		return DriverError{Class: ClassConflict, Hint: quotedAfter(msg, "for key", '\''), Reason: ReasonUnique}
	case 1048: // Column 'name' cannot be null
		return DriverError{Class: ClassRequired, Column: mysqlColumn(msg, "Column "), Reason: ReasonNotNull}
	case 1364: // Field 'name' doesn't have a default value
		return DriverError{Class: ClassRequired, Column: mysqlColumn(msg, "Field "), Reason: ReasonNotNull}
	case 1264, 1265, 1292, 1366, 1406: // out of range, truncated, bad value, too long ... for column 'x'
		return DriverError{Class: ClassInvalid, Column: mysqlColumn(msg, "for column "), Reason: mysqlReason(e.Number, msg)}
	case 3819: // MySQL: Check constraint 'products_chk_1' is violated.
		return DriverError{Class: ClassInvalid, Hint: quotedAfter(msg, "onstraint", '\''), Reason: ReasonCheck}
	case 4025: // MariaDB: CONSTRAINT `products.price_cents` failed for `db`.`products`
		return DriverError{Class: ClassInvalid, Hint: quotedAfter(msg, "CONSTRAINT", '`'), Reason: ReasonCheck}
	case 1452: // ... a foreign key constraint fails (..., FOREIGN KEY (`category_id`) REFERENCES ...)
		return DriverError{Class: ClassInvalid, Column: quotedAfter(msg, "FOREIGN KEY (", '`'), Reason: ReasonForeignKey}
	case 1451: // Cannot delete or update a parent row
		return DriverError{Class: ClassReferenced}
	case 1205: // lock wait timeout
		return DriverError{Class: ClassTimeout}
	case 1040, 1053, 1213, 2002, 2003, 2006, 2013:
		// too many connections, shutting down, deadlock, gone away
		return DriverError{Class: ClassUnavailable}
	}
	return DriverError{}
}

// mysqlReason tells the reasons of MySQL's value errors apart: 1366
// "Incorrect string value" is a character the column's character set
// lacks, and "Incorrect integer value" a bad type.
func mysqlReason(number uint16, msg string) string {
	switch {
	case number == 1264:
		return ReasonRange
	case number == 1406:
		return ReasonTooLong
	case number == 1366 && strings.HasPrefix(msg, "Incorrect string value"):
		return ReasonCharset
	}
	return ReasonType
}

// mysqlColumn returns the column named right after marker in msg, written
// 'name' (MySQL) or `db`.`table`.`name` (MariaDB).
func mysqlColumn(msg, marker string) string {
	name, _, _ := strings.Cut(after(msg, marker), " ")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.Trim(name, "'`")
}
