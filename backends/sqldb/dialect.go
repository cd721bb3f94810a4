package sqldb

import (
	"fmt"
	"strings"
	"time"
)

// dialect holds what differs between the SQL engines: DSN settings,
// identifier quoting, placeholders, a few spellings, the types values are
// bound as, and the meaning of driver errors. DB's methods give it out.
type dialect interface {
	// engine is the configuration's name of the engine.
	engine() string
	// driver is the database/sql driver name.
	driver() string
	// dsn returns dsn with the settings the proxy relies on.
	dsn(dsn string) (string, error)
	// bindType is sqlx's placeholder style for Rebind.
	bindType() int
	// quote quotes one identifier (without dots).
	quote(ident string) string
	// text casts an expression to text, for LIKE on a non-text column.
	text(expr string) string
	// longText is the type of a column holding long text (JSON documents).
	longText() string
	// nulls follows an ORDER BY term so that NULL sorts first ascending and
	// last descending on every engine, as in Apostrophe (MongoDB).
	nulls(desc bool) string
	// lock follows the SELECT that reads a row about to be changed.
	lock() string
	// insertMany is the verb of a multi-row INSERT whose failure fails
	// its transaction (InsertMany).
	insertMany() string
	// selectsBeforeLimit reports whether the engine evaluates the select
	// list of every row it sorts, subqueries included, rather than of the
	// rows a LIMIT keeps (SelectsBeforeLimit).
	selectsBeforeLimit() bool
	// analyze is the statement that refreshes the planner's statistics
	// of a table, "" where the proxy leaves them alone (Analyze).
	analyze(table string) string
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
	classify(err error) DriverError
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

// Quote quotes one identifier, doubling the engine's quote character
// inside it (" on SQLite and PostgreSQL, ` on MySQL), so that any name
// stays one identifier.
func (db *DB) Quote(ident string) string { return db.dialect.quote(ident) }

// QuoteName quotes a possibly dotted name ("schema.table") part by part,
// as Quote does each part.
func (db *DB) QuoteName(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = db.dialect.quote(p)
	}
	return strings.Join(parts, ".")
}

// quoteWith quotes ident with q, doubling any q inside.
func quoteWith(q, ident string) string {
	return q + strings.ReplaceAll(ident, q, q+q) + q
}

// CastText casts an SQL expression to text, for LIKE on a non-text column.
func (db *DB) CastText(expr string) string { return db.dialect.text(expr) }

// LongText is the column type of long text, such as JSON documents.
func (db *DB) LongText() string { return db.dialect.longText() }

// Nulls follows an ORDER BY term so that NULL sorts first ascending and
// last descending on every engine, as in Apostrophe (MongoDB); it is ""
// where that is already so.
func (db *DB) Nulls(desc bool) string { return db.dialect.nulls(desc) }

// ForUpdate follows a SELECT, in a transaction, that reads a row about to
// be changed, so that it is locked: " FOR UPDATE", or "" on SQLite, whose
// transactions take the write lock when they begin.
func (db *DB) ForUpdate() string { return db.dialect.lock() }

// SelectsBeforeLimit reports whether a sorted, paged SELECT evaluates the
// subqueries of its select list for every row it sorts: SQLite and
// PostgreSQL do, so a list reads its slugs and members around its paged
// statement (a derived table); MySQL and MariaDB evaluate them for the
// rows they send, and a derived table would only cost them a temporary
// table per list (docs/architecture.md#lists).
func (db *DB) SelectsBeforeLimit() bool { return db.dialect.selectsBeforeLimit() }

// InsertMany is the verb ("INSERT INTO " or a variant) of a multi-row
// INSERT within a transaction that rolls back when it fails. On SQLite it
// is INSERT OR FAIL: a statement that may abort half-way keeps a journal
// of every page it changes so that it can undo itself, which costs as
// many page writes as the rows touch pages of random indexes; the
// transaction's rollback undoes it instead.
func (db *DB) InsertMany() string { return db.dialect.insertMany() }

// Analyze is the statement that refreshes the planner's statistics of
// one of the proxy's own tables (quoted) after it grew by many rows at
// once, "" where there is none to run. On PostgreSQL: until autovacuum
// analyzes it (never, for rows that are a small part of a big table),
// the planner takes rows of a value it has not seen for none, and may
// search an index that matches fewer of a lookup's columns; run within a
// transaction, it counts the transaction's own rows. SQLite and MySQL
// choose by the lookup's columns, or by sampling the index as they plan.
func (db *DB) Analyze(table string) string { return db.dialect.analyze(table) }

// Returning reports whether INSERT ... RETURNING gives back the key the
// database made; otherwise sql.Result's LastInsertId does.
func (db *DB) Returning() bool { return db.dialect.returning() }

// BindTime converts a time to what the engine stores: UTC, as text in
// SQLite's legacy format on SQLite.
func (db *DB) BindTime(t time.Time) any { return db.dialect.bindTime(t) }

// BindBool converts a boolean to what the engine stores (0 or 1 on SQLite).
func (db *DB) BindBool(b bool) any { return db.dialect.bindBool(b) }

// Uncached are leading query arguments that keep the driver from caching
// a statement (on PostgreSQL: pgx caches each connection's statements,
// and a cached SELECT * fails once after its table changes); nil elsewhere.
func (db *DB) Uncached() []any { return db.dialect.uncached() }
