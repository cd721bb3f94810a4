package sqlbackend

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
)

// Options are the settings New needs beyond the type's configuration.
type Options struct {
	// DefaultLocale is the configured default locale: a localized type
	// without a locale column holds that locale only.
	DefaultLocale string
}

// Adapter serves one document type from one table. It implements
// adapters.Adapter, adapters.Distincter and adapters.Pinger.
type Adapter struct {
	db     *sqldb.DB
	t      *config.Type
	schema *apos.Schema

	table     string         // quoted
	archive   string         // a page tree's quoted archive table (pages_archive.go)
	alias     string         // how columns name the table: table, or a derived table's alias
	key       string         // the quoted key column (a composite key: its text, keys.go)
	keyCast   string         // the key as text, qualified by alias: how the proxy's tables hold it
	outerKey  string         // the key as text in pageOuter's statement (list.go)
	keyOrder  []string       // the key's ORDER BY expressions, one per column
	parts     []keyPart      // the key's columns
	intKey    bool           // the key is one integer column
	keyRange  sqldb.IntRange // the integers the key column holds
	randomKey bool           // the adapter, not the database, makes new keys
	locale    *valueMap
	mode      *valueMap // nil unless storage is columns
	// defaultLocale is the one locale of a localized type without a
	// locale column.
	defaultLocale string

	fields  []field
	byName  map[string]int
	all     view // every field
	compare view // the fields that make a draft "modified"

	// columns is "key, field columns..." in order; scope is the WHERE
	// conditions on locale and mode, "1 = 1" when there are none.
	columns string
	scope   string
	// columnsAs is columns, each named by its position (c0, c1...), for
	// a paged list statement (list.go, pageOuter).
	columnsAs string

	get   *sqldb.ReadStmt // one record by key and scope
	lock  *sqldb.ReadStmt // the same, locking the row for a change
	stmts statements
	// counts keeps lists' totals for count_cache; nil: always counted.
	counts *countCache
	rows   sync.Pool    // *row
	hint   atomic.Int64 // the size of the last record, to size the next

	// store keeps the workflow's state of a type with drafts (previous
	// copies, lastPublishedAt...); nil for other types.
	store *store
	// ov serves an overlay type's drafts and other locales; nil otherwise.
	ov *overlay
	// pub, when set, holds the published records that this adapter's
	// drafts are compared with (an overlay's draft views); nil: a itself.
	pub *Adapter
	// slugs keeps the slugs of a type that maps a title and no slug
	// (slugs.go); nil otherwise.
	slugs *slugs
	// since is the column that gives lastPublishedAt to records the proxy
	// has not published (lastpub.go), of kind sinceKind; empty: the epoch.
	// sinceField is the index of the field it is the column of, -1 for
	// an unmapped column read beside the fields.
	since      string
	sinceKind  apos.Kind
	sinceField int
	// fkField is the field of a SQLite table's only foreign key column.
	fkField string
	// rels are the join-table relationships (relationships.go).
	rels []join
}

var (
	_ adapters.Adapter    = (*Adapter)(nil)
	_ adapters.Distincter = (*Adapter)(nil)
	_ adapters.Pinger     = (*Adapter)(nil)
)

// startTimeout bounds the checks and statement preparation of New.
const startTimeout = 30 * time.Second

// New builds the adapter of the type t on db. It checks the table and
// columns as Verify does, and prepares the statements of single-document
// reads. Identifiers come only from t; requests only bind values.
func New(db *sqldb.DB, t *config.Type, opts Options) (*Adapter, error) {
	a := &Adapter{db: db, t: t, schema: t.Schema(), stmts: statements{db: db, max: maxStatements}, sinceField: -1}
	if t.CountCache.Duration > 0 {
		a.counts = newCountCache(t.CountCache.Duration)
	}
	if err := a.mapType(opts); err != nil {
		return nil, err
	}
	a.rels = a.joins()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := a.ensureOwnTable(ctx); err != nil {
		return nil, err
	}
	cols, err := a.describe(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.setKeyKinds(ctx, cols); err != nil {
		return nil, err
	}
	a.applyColumns(cols)
	if err := a.findForeignKey(ctx); err != nil {
		return nil, err
	}
	if err := a.keepSlugs(ctx); err != nil {
		return nil, err
	}
	if err := a.provision(ctx); err != nil {
		return nil, err
	}
	if err := a.ensureArchive(ctx); err != nil {
		return nil, err
	}
	n := a.width()
	a.rows.New = func() any { return newRow(n) }
	if err := a.prepare(ctx); err != nil {
		return nil, db.Fail(ctx, err, nil)
	}
	return a, nil
}

// prepare prepares the statements that read one record.
func (a *Adapter) prepare(ctx context.Context) error {
	get := "SELECT " + a.columns + a.extraColumn() + a.slugColumn() + a.sinceColumn() +
		" FROM " + a.table + " WHERE " + a.key + " = ? AND " + a.scope
	var err error
	if a.get, err = a.db.PrepareRead(ctx, a.db.Rebind(get)); err != nil {
		return err
	}
	a.lock = a.get
	if lock := a.db.ForUpdate(); lock != "" {
		if a.lock, err = a.db.PrepareRead(ctx, a.db.Rebind(get+lock)); err != nil {
			a.get.Close()
			return err
		}
	}
	return nil
}

// Schema implements adapters.Adapter.
func (a *Adapter) Schema() *apos.Schema { return a.schema }

// Ping implements adapters.Pinger.
func (a *Adapter) Ping(ctx context.Context) error {
	return a.fail(ctx, a.db.PingContext(ctx))
}

// fail maps a driver error, naming the API field of the column the driver
// blamed when it can be told.
func (a *Adapter) fail(ctx context.Context, err error) error {
	return a.db.Fail(ctx, err, a.fieldOf)
}

// getRow takes a row of cells from the pool.
func (a *Adapter) getRow() *row { return a.rows.Get().(*row) }
