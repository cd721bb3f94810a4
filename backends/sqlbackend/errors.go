package sqlbackend

import (
	"context"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// fieldOf returns the API field of the column a driver error names, or of
// the longest column name found in its hint (a constraint name such as
// "products_price_cents_check", or a CHECK expression).
func (a *Adapter) fieldOf(e sqldb.DriverError) string {
	if e.Reason == sqldb.ReasonForeignKey && e.Column == "" {
		// SQLite names no column: the table's one foreign key field.
		return a.fkField
	}
	best := -1
	for i := range a.fields {
		col := a.fields[i].column
		if e.Column != "" {
			if strings.EqualFold(col, e.Column) {
				return a.fields[i].name
			}
			continue
		}
		if containsWord(e.Hint, col) && (best < 0 || len(col) > len(a.fields[best].column)) {
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

// findForeignKey sets fkField to the field whose column holds the
// table's only foreign key on SQLite, which names no column when one is
// broken; a table with several leaves it empty (the error then names no
// field, docs/api-rules.md#122).
func (a *Adapter) findForeignKey(ctx context.Context) error {
	if a.db.Engine() != "sqlite" {
		return nil
	}
	rows, err := a.db.QueryContext(ctx, "SELECT \"from\" FROM pragma_foreign_key_list(?)", a.t.Table)
	if err != nil {
		return a.fail(ctx, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return a.fail(ctx, err)
		}
		cols = append(cols, c)
	}
	if len(cols) == 1 {
		for i := range a.fields {
			if a.fields[i].template == nil && strings.EqualFold(a.fields[i].column, cols[0]) {
				a.fkField = a.fields[i].name
			}
		}
	}
	return a.fail(ctx, rows.Err())
}
