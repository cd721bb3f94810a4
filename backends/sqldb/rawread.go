package sqldb

import (
	"database/sql"
	"strings"
	"time"
	"unsafe"

	sqlite3 "modernc.org/sqlite/lib"
)

// rawArgs reports whether the raw path binds every argument: the types
// database/sql hands the driver for the proxy's arguments. Others (times,
// driver.Valuers, named types) go through database/sql's conversions.
func rawArgs(args []any) bool {
	for _, a := range args {
		switch a.(type) {
		case nil, int64, int, float64, bool, string, []byte:
		default:
			return false
		}
	}
	return true
}

// readRow reads the first row of s with args into dest, which are Cells.
// ran is false, with nothing read, when the statement does not prepare on
// this connection or does not fit args and dest: database/sql then runs
// it and reports what is wrong.
func (c *rawConn) readRow(s *ReadStmt, args, dest []any) (ran bool, err error) {
	st, err := c.stmt(s)
	if err != nil || int(sqlite3.Xsqlite3_bind_parameter_count(c.tls, st.p)) != len(args) ||
		int(sqlite3.Xsqlite3_column_count(c.tls, st.p)) != len(dest) || len(st.times) != len(dest) {
		return false, nil
	}
	// Resetting ends the read transaction, so that the connection does
	// not hold back checkpoints between reads.
	defer sqlite3.Xsqlite3_reset(c.tls, st.p)
	if err := c.bind(st.p, args); err != nil {
		return true, err
	}
	switch rc := sqlite3.Xsqlite3_step(c.tls, st.p); rc {
	case sqlite3.SQLITE_ROW:
		c.scan(st, dest)
		return true, nil
	case sqlite3.SQLITE_DONE:
		return true, sql.ErrNoRows
	default:
		return true, c.errstr(rc)
	}
}

// bind binds args to p's parameters as the driver does; text and blobs
// are copied to the connection's buffer, which they use until the next
// bind.
func (c *rawConn) bind(p uintptr, args []any) error {
	n := 0
	for _, a := range args {
		switch v := a.(type) {
		case string:
			n += len(v)
		case []byte:
			n += len(v)
		}
	}
	if err := c.reserve(n + 1); err != nil {
		return err
	}
	off := 0
	for i, a := range args {
		idx := int32(i + 1)
		var rc int32
		switch v := a.(type) {
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(c.tls, p, idx)
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(c.tls, p, idx, v)
		case int:
			rc = sqlite3.Xsqlite3_bind_int64(c.tls, p, idx, int64(v))
		case float64:
			rc = sqlite3.Xsqlite3_bind_double(c.tls, p, idx, v)
		case bool:
			rc = sqlite3.Xsqlite3_bind_int(c.tls, p, idx, int32(boolInt(v)))
		case string:
			copy(cBytes(c.buf+uintptr(off), len(v)), v)
			rc = sqlite3.Xsqlite3_bind_text(c.tls, p, idx, c.buf+uintptr(off), int32(len(v)), 0)
			off += len(v)
		case []byte:
			if v == nil {
				rc = sqlite3.Xsqlite3_bind_null(c.tls, p, idx)
				break
			}
			copy(cBytes(c.buf+uintptr(off), len(v)), v)
			rc = sqlite3.Xsqlite3_bind_blob(c.tls, p, idx, c.buf+uintptr(off), int32(len(v)), 0)
			off += len(v)
		}
		if rc != sqlite3.SQLITE_OK {
			return c.errstr(rc)
		}
	}
	return nil
}

// scan stores the current row of st into dest, each value as the driver
// gives it: integers, floats, NULLs, text and blobs as they are, and the
// text of a DATE, DATETIME or TIMESTAMP column as a time when it parses.
func (c *rawConn) scan(st *rawStmt, dest []any) {
	for i, d := range dest {
		cell, col := d.(Cell), int32(i)
		switch sqlite3.Xsqlite3_column_type(c.tls, st.p, col) {
		case sqlite3.SQLITE_INTEGER:
			cell.SetInt(sqlite3.Xsqlite3_column_int64(c.tls, st.p, col))
		case sqlite3.SQLITE_FLOAT:
			cell.SetFloat(sqlite3.Xsqlite3_column_double(c.tls, st.p, col))
		case sqlite3.SQLITE_TEXT:
			p := sqlite3.Xsqlite3_column_text(c.tls, st.p, col)
			b := cBytes(p, int(sqlite3.Xsqlite3_column_bytes(c.tls, st.p, col)))
			if st.times[i] {
				if t, ok := st.parseTime(i, b); ok {
					cell.SetTime(t)
					continue
				}
			}
			cell.SetText(b)
		case sqlite3.SQLITE_BLOB:
			p := sqlite3.Xsqlite3_column_blob(c.tls, st.p, col)
			cell.SetText(cBytes(p, int(sqlite3.Xsqlite3_column_bytes(c.tls, st.p, col))))
		default:
			cell.SetNull()
		}
	}
}

// parseTimeFormats are the driver's, in its order (modernc.org/sqlite's
// parseTimeFormats). A text matches at most one of them, so trying the
// column's last match first gives the driver's result.
var parseTimeFormats = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// timeStringLayout is time.Time.String's, which the driver tries first.
const timeStringLayout = "2006-01-02 15:04:05.999999999 -0700 MST"

// parseTime parses the text b of column i of st as the driver's parseTime
// does (without a _timezone: times keep the zone they are read in). b is
// read in place; only time.Time.String's form, which keeps a zone name
// from it, is copied first.
func (st *rawStmt) parseTime(i int, b []byte) (time.Time, bool) {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if t, ok := parseTimeString(s); ok {
		return t, true
	}
	ts, _ := strings.CutSuffix(s, "Z")
	if h := st.hints[i]; h >= 0 {
		if t, err := time.Parse(parseTimeFormats[h], ts); err == nil {
			return t, true
		}
	}
	for j, f := range parseTimeFormats {
		if j == int(st.hints[i]) {
			continue
		}
		if t, err := time.Parse(f, ts); err == nil {
			st.hints[i] = int8(j)
			return t, true
		}
	}
	return time.Time{}, false
}

// parseTimeString is the driver's parseTimeString. Its layout has three
// spaces that each need one in the text, so a text with fewer, as every
// other layout's, is not tried (a failed parse allocates its error).
func parseTimeString(s string) (time.Time, bool) {
	if x := strings.Index(s, "m="); x > 0 {
		s = s[:x]
	}
	s = strings.TrimSpace(s)
	if strings.Count(s, " ") < 3 {
		return time.Time{}, false
	}
	t, err := time.Parse(timeStringLayout, strings.Clone(s))
	return t, err == nil
}
