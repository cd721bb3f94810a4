package sqlbackend

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
)

// checkUnique checks that the type's key, with its locale and mode
// columns, names one row: a primary key or unique index over some of
// those columns says so; when none does (a view, a table without keys),
// a query looks for a key that several rows share. A key that is not
// unique stops the start, naming the key path, unless the type is
// read_only: then it is only logged (docs/api-rules.md#100).
func (a *Adapter) checkUnique(ctx context.Context) error {
	cols := slices.Clone(a.t.KeyParts())
	for _, c := range []string{a.t.Locale.Column, a.t.Mode.Column} {
		if c != "" && (a.locale != nil || a.mode != nil) {
			cols = append(cols, c)
		}
	}
	sets, err := a.db.UniqueKeys(ctx, a.t.Table)
	if err != nil {
		return fmt.Errorf("types.%s.key: the indexes of table %q cannot be read: %w", a.t.Name, a.t.Table, a.fail(ctx, err))
	}
	for _, set := range sets {
		if covers(cols, set) {
			return nil
		}
	}
	dup, err := a.duplicateKey(ctx, cols)
	if err != nil {
		return fmt.Errorf("types.%s.key: checking that the key is unique: %w", a.t.Name, a.fail(ctx, err))
	}
	if dup == "" {
		return nil
	}
	msg := fmt.Sprintf("%s does not name one row of table %q: no primary key or unique index covers it, and %s is the key of several rows; "+
		"set key to the columns of a primary key or unique index (a list for a composite key, such as key = [\"a\", \"b\"])",
		strings.Join(cols, ", "), a.t.Table, dup)
	if a.t.ReadOnly {
		slog.Warn("a read_only type's key is not unique: reads by id give one of its rows", "key", "types."+a.t.Name+".key", "problem", msg)
		return nil
	}
	return fmt.Errorf("types.%s.key: %s, or make the type read_only", a.t.Name, msg)
}

// covers reports whether the unique column set set is within cols.
func covers(cols, set []string) bool {
	for _, s := range set {
		if !slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, s) }) {
			return false
		}
	}
	return len(set) > 0
}

// duplicateKey returns, as text, the values of cols of some rows that
// share them, empty when there are none.
func (a *Adapter) duplicateKey(ctx context.Context, cols []string) (string, error) {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = a.db.QuoteName(c)
	}
	list := strings.Join(quoted, ", ")
	text := "SELECT " + list + ", COUNT(*) FROM " + a.table + " GROUP BY " + list + " HAVING COUNT(*) > 1 LIMIT 1"
	rows, err := a.db.QueryContext(ctx, text)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	if !rows.Next() {
		return "", rows.Err()
	}
	vals := make([]any, len(cols)+1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return "", err
	}
	parts := make([]string, len(cols))
	for i, v := range vals[:len(cols)] {
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		parts[i] = fmt.Sprintf("%s = %v", cols[i], v)
	}
	return fmt.Sprintf("(%s, %v rows)", strings.Join(parts, ", "), vals[len(cols)]), nil
}
