package sqlbackend

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// timeMapping says how a date or datetime field's column keeps time
// (docs/api-rules.md#127 and #128).
type timeMapping struct {
	// naive: the column keeps wall-clock times without a zone, read and
	// written in loc (the database's time_zone).
	naive bool
	loc   *time.Location
	// frac is the number of fractional-second digits the column keeps;
	// -1: as many as Go's times have. Writes drop the rest, so that the
	// engine never rounds a time up into the next second.
	frac int
	// layout is the Go layout of a column that keeps text; "" for a
	// column of a date or time type.
	layout string
}

// textLayouts are the Go layouts of config.TextFormats, in order.
var textLayouts = map[string]string{
	"YYYY-MM-DD":               time.DateOnly,
	"YYYY-MM-DD HH:MM:SS":      time.DateTime,
	"YYYY-MM-DD HH:MM:SS.SSS":  "2006-01-02 15:04:05.000",
	"YYYY-MM-DDTHH:MM:SS.SSSZ": isoMillis,
}

// layoutMapping is the mapping of a text column in layout.
func layoutMapping(layout string, loc *time.Location) timeMapping {
	frac := 0
	if strings.Contains(layout, ".000") {
		frac = 3
	}
	return timeMapping{naive: !strings.HasSuffix(layout, "Z"), loc: loc, frac: frac, layout: layout}
}

// sniffLayout returns the layout of a sample of a text column's dates, ""
// when it is none the proxy writes.
func sniffLayout(s []byte) string {
	switch {
	case len(s) == 10:
		return time.DateOnly
	case len(s) == 19 && s[10] == ' ':
		return time.DateTime
	case len(s) == 23 && s[10] == ' ' && s[19] == '.':
		return "2006-01-02 15:04:05.000"
	case len(s) == 24 && s[10] == 'T' && s[19] == '.' && s[23] == 'Z':
		return isoMillis
	}
	return ""
}

// timeMapping works out how field i's column keeps time: from its type,
// the field's text_format, or (SQLite, where dates are text) a row of it.
func (a *Adapter) timeMapping(ctx context.Context, i int, c colClass, ex colExtra) (timeMapping, error) {
	f, loc := &a.fields[i], a.db.Zone()
	if loc == nil {
		loc = time.UTC
	}
	tm := timeMapping{loc: loc, frac: -1}
	if f.kind != apos.Date && f.kind != apos.DateTime {
		return tm, nil
	}
	if tf := a.t.Fields[i].TextFormat; tf != "" {
		return layoutMapping(textLayouts[tf], loc), nil
	}
	sqlite := a.db.Engine() == "sqlite"
	switch {
	case c == classDateTime && !sqlite:
		tm.naive = a.db.Engine() == "mysql" || !strings.HasSuffix(ex.typ, "TZ")
		tm.frac = ex.datetimePrecision
		return tm, nil
	case c == classDate && !sqlite:
		return tm, nil
	}
	layout := time.DateTime
	if f.kind == apos.Date {
		layout = time.DateOnly
	}
	var sample []byte
	err := a.db.QueryRowContext(ctx, "SELECT "+a.db.CastText(f.quoted)+" FROM "+a.table+" WHERE "+f.quoted+" IS NOT NULL LIMIT 1").Scan(&sample)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return tm, a.fail(ctx, err)
	case sniffLayout(sample) != "":
		layout = sniffLayout(sample)
	}
	return layoutMapping(layout, loc), nil
}

// bindTime is what field f's column stores for t: t in the column's zone
// with the digits the column keeps, as text in its layout or as a time
// whose wall clock the driver writes (both drivers write a time's UTC
// wall clock into columns without a zone).
func (tm *timeMapping) bindTime(t time.Time) any {
	if tm.frac >= 0 && tm.frac < 9 {
		step := time.Duration(1)
		for range 9 - tm.frac {
			step *= 10
		}
		t = t.Truncate(step)
	}
	t = t.UTC()
	if tm.naive {
		w := t.In(tm.loc)
		t = time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	}
	if tm.layout != "" {
		return t.Format(tm.layout)
	}
	return t
}

// bindDate is what field f's column stores for the date d ("YYYY-MM-DD"):
// d in the layout of a text column that keeps times too.
func (tm *timeMapping) bindDate(d string) any {
	if tm.layout == "" || tm.layout == time.DateOnly {
		return d
	}
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format(tm.layout)
}

// read turns a time read from a column into UTC: a naive one is a wall
// clock in the column's zone. It allocates nothing.
func (tm *timeMapping) read(t time.Time, naive bool) time.Time {
	if naive && tm.naive && tm.loc != time.UTC && tm.loc != nil {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), tm.loc).UTC()
	}
	return t.UTC()
}
