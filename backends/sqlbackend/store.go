package sqlbackend

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// The tables the proxy owns, created in the type's own database beside the
// legacy tables, which are never altered (docs/api-rules.md#13). Keeping them in the
// same database lets every workflow route run in one transaction, and lets
// an overlay type's lists merge the legacy table and the store in one query.
const (
	// metaTable holds the workflow's members of each record
	// (lastPublishedAt, submitted, localizedAt), for every type of the
	// database, by the record's legacy key as text (doc_id), so that a
	// read joins them to the row in its own query.
	metaTable = "aposproxy_meta"
	// shadowPrefix names a type's shadow table: aposproxy_<table>, with the
	// legacy table's key and mapped columns (same names and types) plus
	// the columns below. It holds the records the legacy table has no room
	// for: previous copies, and an overlay type's drafts and other locales.
	shadowPrefix = "aposproxy_"
	localeColumn = "aposproxy_locale"
	modeColumn   = "aposproxy_mode"
	// baseColumn holds, on an overlay draft, the fingerprint of the
	// legacy row the draft was made from (NULL: made without one).
	baseColumn = "aposproxy_base"
)

// store is the workflow's state of one type: its records in the shadow
// table, and their members in the meta table.
type store struct {
	db       *sqldb.DB
	typeName string
	meta     string   // quoted meta table
	shadow   *Adapter // the shadow table, with its own locale and mode columns
	base     string   // quoted base column
	getMeta  *sql.Stmt
	// links are an overlay type's links that are not the legacy rows'
	// (overlay_links.go); nil for other types.
	links *storeLinks
	stmts statements
}

// newStore creates the tables of a's store when they do not exist yet and
// prepares its statements. a is a localized type's adapter.
func newStore(ctx context.Context, a *Adapter) (*store, error) {
	db := a.db
	st := &store{
		db:       a.db,
		typeName: a.t.Name,
		meta:     db.QuoteName(metaTable),
		base:     db.QuoteName(baseColumn),
		stmts:    statements{db: a.db, max: maxStatements},
	}
	if err := st.createMeta(ctx); err != nil {
		return nil, fmt.Errorf("creating the store table %s: %w", metaTable, err)
	}
	shadow := shadowPrefix + a.t.Table
	if err := createShadow(ctx, a, shadow); err != nil {
		return nil, fmt.Errorf("creating the store table %s: %w", shadow, err)
	}
	st.shadow = a.view(db.QuoteName(shadow),
		newValueMap(db.QuoteName(localeColumn), nil), newValueMap(db.QuoteName(modeColumn), nil))
	st.shadow.store = st
	if err := st.shadow.prepare(ctx); err != nil {
		return nil, a.fail(ctx, err)
	}
	get := "SELECT extra FROM " + st.meta + " WHERE type_name = ? AND doc_id = ? AND locale = ? AND mode = ?"
	var err error
	if st.getMeta, err = a.db.PrepareContext(ctx, a.db.Rebind(get)); err != nil {
		return nil, a.fail(ctx, err)
	}
	return st, nil
}

// createMeta creates the meta table. Its key columns stay short enough for
// MySQL's index limit in utf8mb4.
func (st *store) createMeta(ctx context.Context) error {
	_, err := st.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+st.meta+` (
  type_name VARCHAR(100) NOT NULL,
  doc_id    VARCHAR(191) NOT NULL,
  locale    VARCHAR(64)  NOT NULL,
  mode      VARCHAR(16)  NOT NULL,
  extra     `+st.db.LongText()+` NOT NULL,
  PRIMARY KEY (type_name, doc_id, locale, mode))`)
	return err
}

// createShadow creates a's shadow table when it is missing, as a copy of
// the legacy table's key and mapped columns (CREATE TABLE ... AS SELECT
// keeps each engine's exact column types, so that an overlay's merged
// lists can UNION the two tables), and checks that an existing one has
// every column the mapping reads.
func createShadow(ctx context.Context, a *Adapter, name string) error {
	db := a.db
	q := db.QuoteName(name)
	have, err := columnNames(ctx, a.db, q)
	if err != nil {
		if e := db.Classify(ctx, err); e.Class == sqldb.ClassUnavailable || e.Class == sqldb.ClassTimeout {
			return a.fail(ctx, err)
		}
		// Without IF NOT EXISTS: a table that exists but could not be read
		// makes this fail, and is never dropped below.
		if _, err := a.db.ExecContext(ctx, "CREATE TABLE "+q+" AS SELECT "+a.columns+" FROM "+a.table+" WHERE 1 = 0"); err != nil {
			return err
		}
		stmts := []string{
			"ALTER TABLE " + q + " ADD COLUMN " + db.QuoteName(localeColumn) + " VARCHAR(64) NOT NULL DEFAULT ''",
			"ALTER TABLE " + q + " ADD COLUMN " + db.QuoteName(modeColumn) + " VARCHAR(16) NOT NULL DEFAULT ''",
			"ALTER TABLE " + q + " ADD COLUMN " + db.QuoteName(baseColumn) + " VARCHAR(64)",
			"CREATE UNIQUE INDEX " + db.QuoteName(name+"_doc") + " ON " + q +
				" (" + a.key + ", " + db.QuoteName(localeColumn) + ", " + db.QuoteName(modeColumn) + ")",
			"CREATE INDEX " + db.QuoteName(name+"_scope") + " ON " + q +
				" (" + db.QuoteName(localeColumn) + ", " + db.QuoteName(modeColumn) + ")",
		}
		for _, s := range stmts {
			if _, err := a.db.ExecContext(ctx, s); err != nil {
				// A half-made table would pass for a whole one next time;
				// this one was made just now and holds nothing.
				_, _ = a.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+q)
				return err
			}
		}
		if have, err = columnNames(ctx, a.db, q); err != nil {
			return err
		}
	}
	need := []string{a.t.Key, localeColumn, modeColumn, baseColumn}
	for _, f := range a.fields {
		need = append(need, f.column)
	}
	var missing []string
	for _, c := range need {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, c) }) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("it lacks the columns %s: add them with the types they have in %q (the proxy never guesses a column type)",
			strings.Join(missing, ", "), a.t.Table)
	}
	return nil
}

// columnNames returns the columns of the quoted table q, or an error when
// it cannot be read (it does not exist).
func columnNames(ctx context.Context, db *sqldb.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM "+q+" WHERE 1 = 0", db.Uncached()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err == nil && len(names) == 0 {
		err = errors.New("no columns")
	}
	return names, err
}
