package sqladapter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
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
	db     *DB
	t      *config.Type
	schema *adapters.Schema

	table     string // quoted
	key       string // the quoted key column
	intKey    bool   // the key column is an integer column
	randomKey bool   // the adapter, not the database, makes new keys
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

	get   *sql.Stmt // one record by key and scope
	lock  *sql.Stmt // the same, locking the row for a change
	stmts statements
	rows  sync.Pool    // *row
	hint  atomic.Int64 // the size of the last record, to size the next
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
func New(db *DB, t *config.Type, opts Options) (*Adapter, error) {
	a := &Adapter{
		db:            db,
		t:             t,
		schema:        t.Schema(),
		table:         quoteName(db.dialect, t.Table),
		key:           quoteName(db.dialect, t.Key),
		randomKey:     t.NewKeys == "random",
		defaultLocale: opts.DefaultLocale,
		byName:        map[string]int{},
	}
	switch a.schema.Storage {
	case adapters.Columns:
		if t.Mode.Column == "" {
			return nil, errors.New(`storage "columns" needs a mode column`)
		}
		a.mode = newValueMap(quoteName(db.dialect, t.Mode.Column), t.Mode.Values)
	case adapters.Autopublish:
	default:
		return nil, fmt.Errorf("storage %q is not supported by SQL types", a.schema.Storage)
	}
	if a.schema.Localized {
		switch {
		case t.Locale.Column != "":
			a.locale = newValueMap(quoteName(db.dialect, t.Locale.Column), t.Locale.Values)
		case opts.DefaultLocale == "":
			return nil, errors.New("a localized type without a locale column needs the default locale")
		}
	}
	cols := []string{a.key}
	for i, f := range a.schema.Fields {
		a.fields = append(a.fields, newField(db.dialect, f, t.Fields[i].Column))
		a.byName[f.Name] = i
		cols = append(cols, a.fields[i].quoted)
	}
	a.all = fullView(a.fields, func(*field) bool { return true })
	a.compare = fullView(a.fields, func(f *field) bool { return !f.auto })
	a.columns = strings.Join(cols, ", ")
	var conds []string
	for _, m := range []*valueMap{a.locale, a.mode} {
		if m != nil {
			conds = append(conds, m.column+" = ?")
		}
	}
	a.scope = "1 = 1"
	if len(conds) > 0 {
		a.scope = strings.Join(conds, " AND ")
	}
	a.stmts.db = db
	n := len(cols)
	a.rows.New = func() any { return newRow(n) }

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	var err error
	if a.intKey, err = a.describe(ctx); err != nil {
		return nil, err
	}
	if a.randomKey && a.intKey {
		return nil, fmt.Errorf("new_keys \"random\" needs a text key column, and %q holds integers", t.Key)
	}
	get := "SELECT " + a.columns + " FROM " + a.table + " WHERE " + a.key + " = ? AND " + a.scope
	if a.get, err = db.x.PrepareContext(ctx, db.rebind(get)); err != nil {
		return nil, fail(ctx, db.dialect, err, nil)
	}
	a.lock = a.get
	if lock := db.dialect.lock(); lock != "" {
		if a.lock, err = db.x.PrepareContext(ctx, db.rebind(get+lock)); err != nil {
			return nil, fail(ctx, db.dialect, err, nil)
		}
	}
	return a, nil
}

// Schema implements adapters.Adapter.
func (a *Adapter) Schema() *adapters.Schema { return a.schema }

// Ping implements adapters.Pinger.
func (a *Adapter) Ping(ctx context.Context) error {
	return a.fail(ctx, a.db.x.PingContext(ctx))
}

// fail maps a driver error, naming the API field of the column the driver
// blamed when it can be told.
func (a *Adapter) fail(ctx context.Context, err error) error {
	return fail(ctx, a.db.dialect, err, a.fieldOf)
}

// fieldOf returns the API field of the column a driver error names, or of
// the longest column name found in its hint (a constraint name such as
// "products_price_cents_check", or a CHECK expression).
func (a *Adapter) fieldOf(e dbError) string {
	best := -1
	for i := range a.fields {
		col := a.fields[i].column
		if e.column != "" {
			if strings.EqualFold(col, e.column) {
				return a.fields[i].name
			}
			continue
		}
		if containsWord(e.hint, col) && (best < 0 || len(col) > len(a.fields[best].column)) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return a.fields[best].name
}

// containsWord reports whether s contains word delimited by anything but
// letters and digits (underscores delimit too: "products_price_check"
// contains "price").
func containsWord(s, word string) bool {
	isWord := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; word != "" && i+len(word) <= len(s); i++ {
		if !strings.EqualFold(s[i:i+len(word)], word) {
			continue
		}
		if (i == 0 || !isWord(s[i-1])) && (i+len(word) == len(s) || !isWord(s[i+len(word)])) {
			return true
		}
	}
	return false
}

// getRow takes a row of cells from the pool.
func (a *Adapter) getRow() *row { return a.rows.Get().(*row) }
