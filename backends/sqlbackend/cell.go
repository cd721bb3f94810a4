package sqlbackend

import (
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// cellType is the Go type a driver gave a column's value.
type cellType uint8

// The driver value types of database/sql (driver.Value).
const (
	cellNull cellType = iota
	cellInt
	cellFloat
	cellBool
	cellText // string or []byte
	cellTime
)

// cell receives one column of a row. As an sql.Scanner it takes the
// driver's own value, without database/sql's conversions, and keeps bytes
// in a buffer that is reused row after row.
type cell struct {
	typ  cellType
	i    int64
	f    float64
	b    bool
	t    time.Time
	text []byte
}

var (
	_ sql.Scanner = (*cell)(nil)
	_ sqldb.Cell  = (*cell)(nil)
)

// The setters of sqldb.Cell store what Scan stores for a value of their
// type, for SQLite's raw read path.

func (c *cell) SetNull()            { c.typ = cellNull }
func (c *cell) SetInt(v int64)      { c.typ, c.i = cellInt, v }
func (c *cell) SetFloat(v float64)  { c.typ, c.f = cellFloat, v }
func (c *cell) SetText(v []byte)    { c.typ, c.text = cellText, append(c.text[:0], v...) }
func (c *cell) SetTime(v time.Time) { c.typ, c.t = cellTime, v }

// Scan implements sql.Scanner.
func (c *cell) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		c.typ = cellNull
	case int64:
		c.typ, c.i = cellInt, v
	case float64:
		c.typ, c.f = cellFloat, v
	case bool:
		c.typ, c.b = cellBool, v
	case []byte:
		c.typ, c.text = cellText, append(c.text[:0], v...)
	case string:
		c.typ, c.text = cellText, append(c.text[:0], v...)
	case time.Time:
		c.typ, c.t = cellTime, v
	default:
		c.typ, c.text = cellText, fmt.Append(c.text[:0], v)
	}
	return nil
}

// keyString is the cell as the text of a key.
func (c *cell) keyString() string {
	if c.typ == cellInt {
		return strconv.FormatInt(c.i, 10)
	}
	return string(c.text)
}

// value returns the cell as a Go value of kind k, typed as in
// adapters.Value (json values come back as their text). A value that does
// not convert comes back as text.
func (c *cell) value(k apos.Kind) any {
	if c.typ == cellNull {
		return nil
	}
	switch k {
	case apos.Integer:
		switch c.typ {
		case cellInt:
			return c.i
		case cellFloat:
			return c.f
		case cellText:
			if n, err := strconv.ParseInt(string(c.text), 10, 64); err == nil {
				return n
			}
		}
	case apos.Float:
		switch c.typ {
		case cellInt:
			return float64(c.i)
		case cellFloat:
			return c.f
		case cellText:
			if f, err := strconv.ParseFloat(string(c.text), 64); err == nil {
				return f
			}
		}
	case apos.Boolean:
		if b, ok := c.boolean(); ok {
			return b
		}
	case apos.DateTime:
		if t, ok := c.dateTime(nil); ok {
			return t
		}
	case apos.Date:
		switch c.typ {
		case cellTime:
			return c.t.Format(time.DateOnly)
		case cellText:
			if d, ok := datePrefix(c.text); ok {
				return string(d)
			}
		}
	}
	return string(c.appendText(nil))
}

// boolean reads the cell as a boolean: a boolean, a number (non-zero is
// true) or the text of one (parseBool).
func (c *cell) boolean() (b, ok bool) {
	switch c.typ {
	case cellBool:
		return c.b, true
	case cellInt:
		return c.i != 0, true
	case cellText:
		return parseBool(c.text)
	}
	return false, false
}

// dateTime reads the cell as a datetime in UTC: a time, or the text of
// one (parseDateTime); tm, when not nil, gives the zone of times read
// without one.
func (c *cell) dateTime(tm *timeMapping) (time.Time, bool) {
	var t time.Time
	naive := true
	switch c.typ {
	case cellTime:
		t = c.t
	case cellText:
		var ok bool
		if t, naive, ok = parseDateTime(c.text); !ok {
			return t, false
		}
	default:
		return t, false
	}
	if tm == nil {
		return t.UTC(), true
	}
	return tm.read(t, naive), true
}

// fieldValue is value for field f: a decimal as text with the column's
// scale, a datetime read in the column's zone.
func (c *cell) fieldValue(f *field) any {
	switch {
	case c.typ == cellNull:
		return nil
	case f.kind == apos.Decimal:
		return decimalText(c, f.scale)
	case f.kind == apos.DateTime:
		if t, ok := c.dateTime(&f.tm); ok {
			return t
		}
	}
	return c.value(f.kind)
}

// appendText appends the cell's value as plain text.
func (c *cell) appendText(dst []byte) []byte {
	switch c.typ {
	case cellInt:
		return strconv.AppendInt(dst, c.i, 10)
	case cellFloat:
		return strconv.AppendFloat(dst, c.f, 'g', -1, 64)
	case cellBool:
		return strconv.AppendBool(dst, c.b)
	case cellTime:
		return c.t.UTC().AppendFormat(dst, isoMillis)
	}
	return append(dst, c.text...)
}

// row is a set of cells with the scan destinations that point at them,
// kept in a pool so that a read allocates neither.
type row struct {
	cells []cell
	dest  []any
}

func newRow(n int) *row {
	r := &row{cells: make([]cell, n), dest: make([]any, n)}
	for i := range r.cells {
		r.dest[i] = &r.cells[i]
	}
	return r
}

// scan reads the current row of rows into the first n cells.
func (r *row) scan(rows interface{ Scan(...any) error }, n int) error {
	return rows.Scan(r.dest[:n]...)
}
