package sqlbackend

import (
	"fmt"
	"strings"
	"time"
)

// dialect holds what differs between the SQL engines: DSN settings,
// identifier quoting, placeholders, a few spellings, the types values are
// bound as, and the meaning of driver errors.
type dialect interface {
	// driver is the database/sql driver name.
	driver() string
	// dsn returns dsn with the settings the adapter relies on.
	dsn(dsn string) (string, error)
	// bindType is sqlx's placeholder style for Rebind.
	bindType() int
	// quote quotes one identifier (without dots).
	quote(ident string) string
	// text casts an expression to text, for LIKE on a non-text column.
	text(expr string) string
	// nulls follows an ORDER BY term so that NULL sorts first ascending and
	// last descending on every engine, as in Apostrophe (MongoDB).
	nulls(desc bool) string
	// lock follows the SELECT that reads a row about to be changed.
	lock() string
	// returning reports whether INSERT ... RETURNING gives back the key the
	// database made; otherwise LastInsertId does.
	returning() bool
	// bindTime and bindBool convert values to what the engine stores.
	bindTime(t time.Time) any
	bindBool(b bool) any
	// uncached are leading query arguments that keep the driver from
	// caching a statement: pgx caches each connection's statements, and
	// a cached SELECT * fails once after its table changes.
	uncached() []any
	// classify says what a driver error means.
	classify(err error) dbError
}

// dialectFor returns the dialect of a config.Database driver name.
func dialectFor(driver string) (dialect, error) {
	switch driver {
	case "sqlite":
		return sqliteDialect{}, nil
	case "postgres":
		return postgresDialect{}, nil
	case "mysql":
		return mysqlDialect{}, nil
	}
	return nil, fmt.Errorf("unknown driver %q (want sqlite, postgres or mysql)", driver)
}

// quoteName quotes a possibly dotted name ("schema.table") part by part,
// doubling the quote character inside each part.
func quoteName(d dialect, name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = d.quote(p)
	}
	return strings.Join(parts, ".")
}

// quoteWith quotes ident with q, doubling any q inside.
func quoteWith(q, ident string) string {
	return q + strings.ReplaceAll(ident, q, q+q) + q
}
