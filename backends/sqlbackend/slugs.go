package sqlbackend

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// slugTable keeps the slugs of the types that map no slug column, for
// every type of the database (docs/config.md#slugs): one row per document,
// locale and mode, unique per type, locale and mode, as Apostrophe's
// {slug, aposLocale} index is. Its columns are named so that they cannot
// be confused with a legacy table's when both appear in one statement.
const slugTable = "aposproxy_slugs"

// maxSlugBase bounds the slug made from a title, in characters, leaving
// room for a numeric suffix within the column's 191.
const maxSlugBase = 180

// slugs keeps the slugs of one type in the slug table. A document has a
// slug in every mode of each of its locales (draft and published for a
// type with drafts, one otherwise), so that its draft and published
// records share one until the draft's is edited, and republishing keeps it.
type slugs struct {
	root    *Adapter // the type's own adapter
	db      *sqldb.DB
	table   string // quoted
	typeArg any    // the type's name, boxed once
	// typeLit is the type's name as a SQL literal: type names are held to
	// [A-Za-z0-9@/_-] by the configuration.
	typeLit string
	drafts  bool     // drafts and published records have slugs of their own
	modes   []string // the modes a document keeps slugs in, published first
}

// newSlugs creates the slug table when it does not exist yet. a is the
// type's own adapter; it must map a title.
func newSlugs(ctx context.Context, a *Adapter) (*slugs, error) {
	sl := &slugs{
		root: a, db: a.db, table: a.db.QuoteName(slugTable),
		typeArg: a.t.Name, typeLit: "'" + a.t.Name + "'",
		drafts: a.schema.Localized && a.schema.Storage != apos.Autopublish,
		modes:  []string{string(apos.Published)},
	}
	if sl.drafts {
		sl.modes = append(sl.modes, string(apos.Draft))
	}
	// Slugs and keys compare and sort as written, byte by byte, on every
	// engine: MySQL's default collations would make "café" and "cafe"
	// one slug, and PostgreSQL's may sort by language rules.
	bin, sorted := "", ""
	switch sl.db.Engine() {
	case "mysql":
		bin = " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
		sorted = bin
	case "postgres":
		sorted = ` COLLATE "C"`
	}
	_, err := sl.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+sl.table+` (
  aposproxy_type   VARCHAR(100) NOT NULL,
  aposproxy_doc    VARCHAR(191)`+bin+` NOT NULL,
  aposproxy_locale VARCHAR(64)  NOT NULL,
  aposproxy_mode   VARCHAR(16)  NOT NULL,
  aposproxy_slug   VARCHAR(191)`+sorted+` NOT NULL,
  PRIMARY KEY (aposproxy_type, aposproxy_doc, aposproxy_locale, aposproxy_mode),
  UNIQUE (aposproxy_type, aposproxy_locale, aposproxy_mode, aposproxy_slug))`)
	if err != nil {
		return nil, fmt.Errorf("creating the store table %s: %w", slugTable, err)
	}
	return sl, nil
}

// scopeOf is where the slug of a record of scope s is kept: its locale,
// and its mode for a type with drafts (published otherwise).
func (sl *slugs) scopeOf(s apos.Scope) (locale, mode string) {
	if sl.drafts {
		return s.Locale, string(s.Mode)
	}
	return s.Locale, string(apos.Published)
}

// column is the member of a single-record select list that reads the
// record's slug in the same round trip; keyText is the row's key as text.
// It binds the locale and mode (args); the type is written in.
func (sl *slugs) column(keyText string) string {
	return ", (SELECT aposproxy_slug FROM " + sl.table + " WHERE aposproxy_type = " + sl.typeLit +
		" AND aposproxy_doc = " + keyText + " AND aposproxy_locale = ? AND aposproxy_mode = ?)"
}

// args appends the values column binds for a record of scope s.
func (sl *slugs) args(args []any, s apos.Scope) []any {
	locale, mode := sl.scopeOf(s)
	return append(args, boxed(locale), boxed(mode))
}

// appendWhere appends the conditions that select scope s's slugs, with
// literals rather than placeholders so that a list can use them anywhere
// in its statement. A locale that is not a configured name matches none.
func (sl *slugs) appendWhere(dst []byte, s apos.Scope) []byte {
	return sl.appendConds(append(dst, " WHERE "...), "", s)
}

// appendConds appends appendWhere's conditions without the WHERE, their
// columns qualified by alias (with its dot) when it is not empty.
func (sl *slugs) appendConds(dst []byte, alias string, s apos.Scope) []byte {
	locale, mode := sl.scopeOf(s)
	dst = append(append(dst, alias...), "aposproxy_type = "...)
	dst = append(dst, sl.typeLit...)
	if !plainName(locale) {
		return append(dst, " AND 1 = 0"...)
	}
	dst = append(append(append(dst, " AND "...), alias...), "aposproxy_locale = '"...)
	dst = append(dst, locale...)
	dst = append(append(append(dst, "' AND "...), alias...), "aposproxy_mode = '"...)
	dst = append(dst, mode...)
	return append(dst, '\'')
}

// appendExpr appends the slug of the row whose key as text is keyText,
// in scope s: a subquery, for select lists and ORDER BY.
func (sl *slugs) appendExpr(dst []byte, keyText string, s apos.Scope) []byte {
	dst = append(dst, "(SELECT aposproxy_slug FROM "...)
	dst = append(dst, sl.table...)
	dst = sl.appendWhere(dst, s)
	dst = append(dst, " AND aposproxy_doc = "...)
	dst = append(dst, keyText...)
	return append(dst, ')')
}

// plainName reports whether s is safe as a SQL literal: a locale name as
// the configuration allows them, or empty.
func plainName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// slugBase is the slug a document asks for, from a client's slug or its
// title: slugified, shortened to maxSlugBase characters; when nothing is
// left (a title "?"), the slug of its key (docs/api-rules.md#129), and
// "none" when even that gives nothing, as Apostrophe names such documents.
func slugBase(s, key string) string {
	b := apos.AppendSlug(nil, s)
	if len(b) == 0 {
		b = apos.AppendSlug(nil, key)
	}
	if utf8.RuneCount(b) > maxSlugBase {
		n := 0
		for i := range string(b) {
			if n == maxSlugBase {
				b = b[:i]
				break
			}
			n++
		}
		b = []byte(strings.TrimRight(string(b), "-"))
	}
	if len(b) == 0 {
		return apos.EmptySlug
	}
	return string(b)
}

// firstFree is base, or base followed by the smallest number that is not
// taken. Apostrophe appends random digits until the slug is unique; the
// smallest number gives the same answer on every instance and engine.
func firstFree(base string, taken func(string) bool) string {
	if !taken(base) {
		return base
	}
	for n := 1; ; n++ {
		if c := base + strconv.Itoa(n); !taken(c) {
			return c
		}
	}
}

// execer runs statements in a transaction or on the pool.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// place gives the document of key, in locale, the first free slug made
// from want in every mode of modes (free in each of them, among the
// type's other documents), replacing what it had there, and returns it.
func (sl *slugs) place(ctx context.Context, tx *sql.Tx, key any, locale string, modes []string, want string) (string, error) {
	base := slugBase(want, keyText(key))
	text := "SELECT aposproxy_slug FROM " + sl.table + " WHERE aposproxy_type = ? AND aposproxy_locale = ? AND aposproxy_mode IN (?" +
		strings.Repeat(", ?", len(modes)-1) + ") AND aposproxy_doc <> ? AND (aposproxy_slug = ? OR aposproxy_slug LIKE ?)"
	args := []any{sl.typeArg, locale}
	for _, m := range modes {
		args = append(args, m)
	}
	taken, err := sl.collect(ctx, tx, text, append(args, keyText(key), base, base+"%"))
	if err != nil {
		return "", err
	}
	slug := firstFree(base, func(c string) bool { return taken[c] })
	for _, m := range modes {
		if err := sl.put(ctx, tx, key, locale, m, slug); err != nil {
			return "", err
		}
	}
	return slug, nil
}

// collect runs a query of slugs and returns them as a set.
func (sl *slugs) collect(ctx context.Context, q execer, text string, args []any) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, sl.db.Rebind(text), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		set[s] = true
	}
	return set, rows.Err()
}

// put sets the slug of the document of key in locale and mode.
func (sl *slugs) put(ctx context.Context, tx *sql.Tx, key any, locale, mode, slug string) error {
	where := " WHERE aposproxy_type = ? AND aposproxy_doc = ? AND aposproxy_locale = ? AND aposproxy_mode = ?"
	args := []any{sl.typeArg, keyText(key), locale, mode}
	if _, err := tx.ExecContext(ctx, sl.db.Rebind("DELETE FROM "+sl.table+where), args...); err != nil {
		return err
	}
	ins := "INSERT INTO " + sl.table + " (aposproxy_type, aposproxy_doc, aposproxy_locale, aposproxy_mode, aposproxy_slug) VALUES (?, ?, ?, ?, ?)"
	_, err := tx.ExecContext(ctx, sl.db.Rebind(ins), append(args, slug)...)
	return err
}

// current returns the slugs of the document of key in locale, by mode.
func (sl *slugs) current(ctx context.Context, q execer, key any, locale string) (map[string]string, error) {
	text := "SELECT aposproxy_mode, aposproxy_slug FROM " + sl.table +
		" WHERE aposproxy_type = ? AND aposproxy_doc = ? AND aposproxy_locale = ?"
	rows, err := q.QueryContext(ctx, sl.db.Rebind(text), sl.typeArg, keyText(key), locale)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var mode, slug string
		if err := rows.Scan(&mode, &slug); err != nil {
			return nil, err
		}
		out[mode] = slug
	}
	return out, rows.Err()
}

// drop deletes the slugs of the document of key in locale.
func (sl *slugs) drop(ctx context.Context, tx *sql.Tx, key any, locale string) error {
	text := "DELETE FROM " + sl.table + " WHERE aposproxy_type = ? AND aposproxy_doc = ? AND aposproxy_locale = ?"
	_, err := tx.ExecContext(ctx, sl.db.Rebind(text), sl.typeArg, keyText(key), locale)
	return err
}

// rename moves the slugs of the document of key to newKey.
func (sl *slugs) rename(ctx context.Context, tx *sql.Tx, key, newKey any) error {
	text := "UPDATE " + sl.table + " SET aposproxy_doc = ? WHERE aposproxy_type = ? AND aposproxy_doc = ?"
	_, err := tx.ExecContext(ctx, sl.db.Rebind(text), keyText(newKey), sl.typeArg, keyText(key))
	return err
}

// retryable reports whether a transaction failed only because another
// one ran at the same time: a deadlock, or a slug another instance took
// first. Running it again finds another answer.
func (sl *slugs) retryable(ctx context.Context, err error) bool {
	return deadlocked(err) || sl.db.Classify(ctx, err).Class == sqldb.ClassConflict
}
