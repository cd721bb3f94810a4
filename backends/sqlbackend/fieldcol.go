package sqlbackend

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
)

// colExtra is what information_schema says of a column beyond its type.
type colExtra struct {
	typ               string // the type name, upper-case (PostgreSQL: TIMESTAMPTZ...)
	datetimePrecision int    // fractional-second digits; -1: unknown
	maxChars          int    // character limit; 0: none
	charset           string // MySQL's character set
}

// columnExtras reads information_schema's view of the table's columns on
// PostgreSQL and MySQL, by lower-case column name; SQLite has none (its
// declared types say what there is).
func (a *Adapter) columnExtras(ctx context.Context) (map[string]colExtra, error) {
	var q string
	switch a.db.Engine() {
	case "postgres":
		q = `SELECT column_name, udt_name, COALESCE(datetime_precision, -1), COALESCE(character_maximum_length, 0), ''
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
	case "mysql":
		q = `SELECT COLUMN_NAME, DATA_TYPE, COALESCE(DATETIME_PRECISION, -1), COALESCE(CHARACTER_MAXIMUM_LENGTH, 0), COALESCE(CHARACTER_SET_NAME, '')
			FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`
	default:
		return nil, nil
	}
	rows, err := a.db.QueryContext(ctx, q, a.t.Table)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	defer rows.Close()
	out := map[string]colExtra{}
	for rows.Next() {
		var name string
		var ex colExtra
		var maxChars int64
		if err := rows.Scan(&name, &ex.typ, &ex.datetimePrecision, &maxChars, &ex.charset); err != nil {
			return nil, a.fail(ctx, err)
		}
		ex.typ = strings.ToUpper(ex.typ)
		ex.maxChars = int(min(maxChars, 1<<31))
		out[strings.ToLower(name)] = ex
	}
	return out, a.fail(ctx, rows.Err())
}

// fieldColumn checks that field i's kind fits its column, and reads what
// the column says of its values; why is the mismatch, "" when none.
func (a *Adapter) fieldColumn(ctx context.Context, i int, ct *sql.ColumnType, ex colExtra) (fc fieldColumn, why string) {
	f, cf, sf := &a.fields[i], &a.t.Fields[i], &a.schema.Fields[i]
	sqlite := a.db.Engine() == "sqlite"
	class := classify(ct.DatabaseTypeName())
	fc.maxChars, fc.charset = ex.maxChars, ex.charset
	if sqlite && class == classText {
		fc.maxChars, _, _ = declaredSize(ct.DatabaseTypeName())
	}
	if f.kind == apos.Decimal {
		if fc.precision, fc.scale, why = decimalSize(ct, cf.Precision, cf.Scale, sqlite); why != "" {
			return fc, why
		}
	}
	if a.t.IsPageTree() && f.name == config.TreeParentField {
		// The parent's key, whatever the key column holds (an integer
		// in the shop): _parentKey is a string field only because the
		// configuration cannot know the key's type without the database
		// (docs/config.md#pages); its values are bound as keyOf gives them.
		return fc, ""
	}
	if why = kindFits(sf, class, sqlite || cf.TextFormat != "", decimalScale(ct, sqlite)); why != "" {
		return fc, why
	}
	if sqlite && class == classAny && f.kind != apos.String {
		fc.maxChars = 0
	}
	tm, err := a.timeMapping(ctx, i, class, ex)
	if err != nil {
		return fc, err.Error()
	}
	fc.tm = tm
	return fc, ""
}

// decimalScale is the scale of a decimal column, -1 when unknown.
func decimalScale(ct *sql.ColumnType, sqlite bool) int {
	p, s, ok := ct.DecimalSize()
	if !ok && sqlite {
		var pi, si int
		pi, si, ok = declaredSize(ct.DatabaseTypeName())
		p, s = int64(pi), int64(si)
	}
	if !ok || p <= 0 {
		return -1
	}
	return int(s)
}

// decimalSize is a decimal field's precision and scale: the column's,
// which the configuration may repeat but not contradict, or the
// configuration's where the column has none.
func decimalSize(ct *sql.ColumnType, precision, scale int, sqlite bool) (int, int, string) {
	s := decimalScale(ct, sqlite)
	p := 0
	if s >= 0 {
		if pp, _, ok := ct.DecimalSize(); ok {
			p = int(pp)
		} else {
			p, _, _ = declaredSize(ct.DatabaseTypeName())
		}
	}
	switch {
	case s >= 0 && precision != 0 && (p != precision || s != scale):
		return 0, 0, fmt.Sprintf("the column keeps %d digits, %d after the point, and the field says precision = %d, scale = %d", p, s, precision, scale)
	case s >= 0:
		return p, s, ""
	case precision == 0:
		return 0, 0, "the column does not say its precision and scale: set precision and scale on the field"
	}
	return precision, scale, ""
}

// bindField converts a value of field f to what its column stores: times
// in the column's zone, layout and precision, dates in the layout of a
// text column that keeps times.
func (a *Adapter) bindField(f *field, v any) any {
	if f.attachID {
		v = attachmentID(v)
	}
	switch v := v.(type) {
	case time.Time:
		return f.tm.bindTime(v)
	case string:
		if f.kind == apos.Date {
			return f.tm.bindDate(v)
		}
	}
	return a.bind(v)
}

// fits refuses a text value that its column cannot keep whole, on every
// engine alike (docs/api-rules.md#122): longer than the column's limit
// (which SQLite does not enforce itself), or with characters outside
// MySQL's three-byte utf8mb3.
func (f *field) fits(v any) error {
	s, ok := v.(string)
	if !ok || f.kind == apos.Date || f.kind == apos.Decimal {
		return nil
	}
	if f.maxChars > 0 && len(s) > f.maxChars && utf8.RuneCountInString(s) > f.maxChars {
		return apos.Invalid(f.name, "invalid", fmt.Sprintf("Too long: %s keeps at most %d characters.", f.name, f.maxChars))
	}
	if (f.charset == "utf8mb3" || f.charset == "utf8") && hasFourByteRune(s) {
		return apos.Invalid(f.name, "invalid", fmt.Sprintf("%s cannot keep characters outside the column's character set (%s), such as emoji.", f.name, f.charset))
	}
	return nil
}

// hasFourByteRune reports whether s has a character of four UTF-8 bytes.
func hasFourByteRune(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xF0 {
			return true
		}
	}
	return false
}

// templateExpr is the SQL expression of a computed field's template
// (docs/api-rules.md#125): its text and columns joined, a NULL column
// read as empty text, and the columns it reads.
func templateExpr(db *sqldb.DB, template string) (string, []string) {
	lits, cols := config.TemplateColumns(template)
	var parts []string
	for i, lit := range lits {
		if lit != "" {
			parts = append(parts, sqldb.Literal(lit))
		}
		if i < len(cols) {
			parts = append(parts, "COALESCE("+db.CastText(db.QuoteName(cols[i]))+", '')")
		}
	}
	return db.Concat(parts), cols
}
