package sqlbackend

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// Result is what one statement gave.
type Result struct {
	// Count is how many rows the statement returned or, for one that
	// returns none, how many it changed (on MySQL: matched, as on the
	// other engines).
	Count int64
	// Rows holds the rows returned, each a JSON object keyed by column
	// name.
	Rows [][]byte
	// First holds the first row's values, in column order (nil when there
	// is no row), typed as adapters.Value documents: nil, string, int64,
	// float64, bool or time.Time.
	First []any
}

// Run runs st in tx with the values of its parameters, by name, as
// sqldb.Tx's Query and Exec take them, and renders the rows it returns as
// the adapter renders records. A statement returning more than limit rows
// fails: a route that may return many rows pages them.
func Run(ctx context.Context, tx *sqldb.Tx, st *sqldb.Statement, args map[string]any, limit int) (*Result, error) {
	if !st.ReturnsRows() {
		n, err := tx.Exec(ctx, st, args)
		if err != nil {
			return nil, err
		}
		return &Result{Count: n}, nil
	}
	rows, err := tx.Query(ctx, st, args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return readRows(rows, limit)
}

// readRows renders rows as JSON objects, each column by the kind its
// database type tells.
func readRows(rows *sql.Rows, limit int) (*Result, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	keys := make([][]byte, len(types))
	kinds := make([]apos.Kind, len(types))
	for i, ct := range types {
		keys[i] = append(appendJSONString(nil, []byte(ct.Name())), ':')
		kinds[i] = kindOf(ct.DatabaseTypeName())
	}
	r := newRow(len(types))
	res := &Result{}
	for rows.Next() {
		if res.Count == int64(limit) {
			return nil, fmt.Errorf("the statement returned more than %d rows", limit)
		}
		if err := r.scan(rows, len(types)); err != nil {
			return nil, err
		}
		b := []byte{'{'}
		for i := range types {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, keys[i]...)
			b = appendColumn(b, kinds[i], &r.cells[i])
		}
		res.Rows = append(res.Rows, append(b, '}'))
		if res.Count == 0 {
			res.First = make([]any, len(types))
			for i := range types {
				res.First[i] = natural(kinds[i], &r.cells[i])
			}
		}
		res.Count++
	}
	return res, rows.Err()
}

// kindOf guesses a result column's kind from its database type name (as
// the drivers spell it: INT4, BIGINT, VARCHAR(20), JSONB, ...); "" means
// the value's own type decides, as for expressions on SQLite.
func kindOf(dbType string) apos.Kind {
	t := strings.ToUpper(dbType)
	switch {
	case t == "":
		return ""
	case strings.Contains(t, "INT") || strings.Contains(t, "SERIAL"):
		return apos.Integer
	case strings.Contains(t, "BOOL"):
		return apos.Boolean
	case strings.Contains(t, "NUMERIC"), strings.Contains(t, "DECIMAL"), strings.Contains(t, "FLOAT"),
		strings.Contains(t, "DOUBLE"), strings.Contains(t, "REAL"):
		return apos.Float
	case strings.Contains(t, "JSON"):
		return apos.JSON
	case strings.Contains(t, "TIMESTAMP"), strings.Contains(t, "DATETIME"):
		return apos.DateTime
	case t == "DATE":
		return apos.Date
	}
	return apos.String
}

// appendColumn appends a result cell as JSON: by its column's kind when
// the type told one, else by the value's own type.
func appendColumn(dst []byte, k apos.Kind, c *cell) []byte {
	if k != "" {
		return appendValue(dst, k, c)
	}
	switch c.typ {
	case cellInt, cellFloat:
		return appendValue(dst, apos.Float, c)
	case cellBool:
		return appendValue(dst, apos.Boolean, c)
	case cellTime:
		return appendValue(dst, apos.DateTime, c)
	}
	return appendValue(dst, apos.String, c)
}

// natural returns a result cell as a Go value to bind again.
func natural(k apos.Kind, c *cell) any {
	switch {
	case k != "" && k != apos.String && k != apos.JSON:
		return c.value(k)
	case c.typ == cellInt:
		return c.i
	case c.typ == cellFloat:
		return c.f
	case c.typ == cellBool:
		return c.b
	case c.typ == cellTime:
		return c.t.UTC()
	case c.typ == cellText:
		return string(c.text)
	}
	return nil
}
