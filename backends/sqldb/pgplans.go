package sqldb

import (
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgx's rows.Scan plans every column again on every query (its plans live
// in the rows): for a GET one of twelve columns that was about 1.7 µs and
// a dozen allocations of a read costing some 40 µs of CPU. A ReadStmt
// keeps the plans pgx made for its columns and destinations instead, and
// scans each row with them as rows.Scan does. The plans are the
// connection's (pgx makes them from the connection's type map, which only
// the goroutine holding the connection uses), so they are kept in the
// connection's CustomData and die with it.

// scanPlansKey is the key of a connection's plans in its CustomData: a
// map[*ReadStmt]*scanPlans.
const scanPlansKey = "aposproxy/sqldb.scanPlans"

// scanPlans are the plans to scan one statement's columns into
// destinations of given types, and what they were made for.
type scanPlans struct {
	oids    []uint32
	formats []int16
	types   []reflect.Type
	plans   []pgtype.ScanPlan
}

// scanRow scans the row rows is on into dest, as rows.Scan would, with the
// plans s keeps on conn.
func (s *ReadStmt) scanRow(conn *pgx.Conn, rows pgx.Rows, dest []any) error {
	fields := rows.FieldDescriptions()
	if len(fields) != len(dest) {
		return rows.Scan(dest...) // which says what is wrong
	}
	p := s.plansOn(conn, fields, dest)
	for i, v := range rows.RawValues() {
		if err := p.plans[i].Scan(v, dest[i]); err != nil {
			return pgx.ScanArgError{ColumnIndex: i, FieldName: fields[i].Name, Err: err}
		}
	}
	return nil
}

// plansOn returns the plans s keeps on conn for fields and dest, making
// them when there are none or they were made for other columns or
// destinations.
func (s *ReadStmt) plansOn(conn *pgx.Conn, fields []pgconn.FieldDescription, dest []any) *scanPlans {
	data := conn.PgConn().CustomData()
	byStmt, _ := data[scanPlansKey].(map[*ReadStmt]*scanPlans)
	if byStmt == nil {
		byStmt = make(map[*ReadStmt]*scanPlans)
		data[scanPlansKey] = byStmt
	}
	if p := byStmt[s]; p != nil && p.fit(fields, dest) {
		return p
	}
	p := &scanPlans{
		oids:    make([]uint32, len(fields)),
		formats: make([]int16, len(fields)),
		types:   make([]reflect.Type, len(fields)),
		plans:   make([]pgtype.ScanPlan, len(fields)),
	}
	m := conn.TypeMap()
	for i, f := range fields {
		p.oids[i], p.formats[i], p.types[i] = f.DataTypeOID, f.Format, reflect.TypeOf(dest[i])
		p.plans[i] = m.PlanScan(f.DataTypeOID, f.Format, dest[i])
	}
	byStmt[s] = p
	return p
}

// fit reports whether p was made for fields and dest.
func (p *scanPlans) fit(fields []pgconn.FieldDescription, dest []any) bool {
	if len(p.plans) != len(fields) {
		return false
	}
	for i, f := range fields {
		if p.oids[i] != f.DataTypeOID || p.formats[i] != f.Format || p.types[i] != reflect.TypeOf(dest[i]) {
			return false
		}
	}
	return true
}
