package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/aposproxy/aposproxy/config"
)

// pgValue records the value a destination receives, with its Go type.
type pgValue struct{ v any }

func (p *pgValue) Scan(src any) error {
	if b, ok := src.([]byte); ok {
		src = append([]byte(nil), b...) // the driver may reuse it
	}
	p.v = src
	return nil
}

// String is the value with its type, text as text whether it came as a
// string or as bytes: sqlbackend's cells read both alike, and pgx gives
// xml as a string where its database/sql driver gives bytes.
func (p *pgValue) String() string {
	if b, ok := p.v.([]byte); ok {
		return fmt.Sprintf("text %q", b)
	}
	if s, ok := p.v.(string); ok {
		return fmt.Sprintf("text %q", s)
	}
	return fmt.Sprintf("%T %v", p.v, p.v)
}

// TestPostgresReadParity checks that a single-row read through pgx
// (readPgx) gives each destination what database/sql gives it, for the
// types legacy schemas hold, NULLs, infinities and extremes included.
func TestPostgresReadParity(t *testing.T) {
	db := open(t, config.Database{Driver: "postgres", DSN: postgres.Fresh(t), MaxOpen: 2, RequestTimeout: time.Second})
	run(t, db, `CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE every (
  id integer PRIMARY KEY, b boolean, i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision,
  n numeric, n2 numeric(10,2), m money, c char(5), vc varchar(20), t text, by bytea, d date,
  ts timestamp, tz timestamptz, tm time, iv interval, u uuid, j json, jb jsonb, x xml, ip inet,
  ar integer[], tx text[], e mood, p positive, o oid);
INSERT INTO every VALUES
  (1, true, -32768, 2147483647, -9223372036854775808, 1.5, 2.25, 123456789.123456789, 12.50, 12.5, 'ab', 'Ünïcode', E'line\nbreak',
   '\x00ff', '2026-12-05', '2026-12-05 13:14:15.123456', '2026-12-05 13:14:15.5+02', '13:14:15', '1 day 02:03:04.5',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2.50]}', '{"b": {"c": null}}', '<a>x</a>', '10.0.0.1/8',
   '{1,NULL,3}', '{"x y","z"}', 'happy', 7, 42),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, false, 0, 0, 0, 'NaN', '-Infinity', 'NaN', 0, 0, '', '', '', '', 'infinity', '-infinity', 'infinity', '00:00', '0',
   '00000000-0000-0000-0000-000000000000', '[]', '{}', '', '::1', '{}', '{}', 'sad', 1, 0);`)
	st, err := db.PrepareRead(t.Context(), "SELECT * FROM every WHERE id = $1")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cols := 29
	for id := 1; id <= 3; id++ {
		viaPgx, viaSQL := make([]any, cols), make([]any, cols)
		for i := range cols {
			viaPgx[i], viaSQL[i] = &pgValue{}, &pgValue{}
		}
		if err := st.readPgx(t.Context(), context.WithoutCancel(t.Context()), []any{id}, viaPgx); err != nil {
			t.Fatalf("row %d through pgx: %v", id, err)
		}
		if err := st.QueryRowContext(t.Context(), id).Scan(viaSQL...); err != nil {
			t.Fatalf("row %d through database/sql: %v", id, err)
		}
		for i := range cols {
			if a, b := viaPgx[i].(*pgValue).String(), viaSQL[i].(*pgValue).String(); a != b {
				t.Errorf("row %d, column %d: pgx gives %s, database/sql %s", id, i+1, a, b)
			}
		}
	}
	if err := st.readPgx(t.Context(), t.Context(), []any{99}, []any{&pgValue{}}); err != sql.ErrNoRows {
		t.Errorf("a read of no row gave %v, want sql.ErrNoRows", err)
	}
	// ReadRow goes through pgx on PostgreSQL and falls back to
	// database/sql for destinations that are not Scanners.
	var name string
	if err := st.ReadRow(t.Context(), nil, []any{1}, []any{new(int), new(sql.NullBool), new(int), new(int), new(int), new(float64),
		new(float64), new(string), new(string), new(string), new(string), &name, new(string), new([]byte), new(time.Time),
		new(time.Time), new(time.Time), new(string), new(string), new(string), new(string), new(string), new(string),
		new(string), new(string), new(string), new(string), new(int), new(int)}); err != nil || name != "Ünïcode" {
		t.Errorf("ReadRow into typed destinations: %v, %q", err, name)
	}
}

// TestPostgresScanPlansKept checks that a statement's scan plans are kept
// on the connection between reads and made again when the destinations
// change, each read giving what a fresh rows.Scan gives.
func TestPostgresScanPlansKept(t *testing.T) {
	db := open(t, config.Database{Driver: "postgres", DSN: postgres.Fresh(t), MaxOpen: 1, RequestTimeout: time.Second})
	run(t, db, `CREATE TABLE kept (id integer PRIMARY KEY, n integer, t text);
INSERT INTO kept VALUES (1, 42, 'forty-two'), (2, NULL, NULL);`)
	st, err := db.PrepareRead(t.Context(), "SELECT n, t FROM kept WHERE id = $1")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	read := func(id int, dest ...any) {
		t.Helper()
		if err := st.readPgx(t.Context(), context.WithoutCancel(t.Context()), []any{id}, dest); err != nil {
			t.Fatalf("row %d: %v", id, err)
		}
	}
	kept := func() *scanPlans {
		t.Helper()
		var p *scanPlans
		c, err := db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Raw(func(dc any) error {
			byStmt, _ := dc.(*stdlib.Conn).Conn().PgConn().CustomData()[scanPlansKey].(map[*ReadStmt]*scanPlans)
			p = byStmt[st]
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return p
	}

	n, s := &pgValue{}, &pgValue{}
	read(1, n, s)
	first := kept()
	if first == nil {
		t.Fatal("no plans kept on the connection after a read")
	}
	read(2, n, s)
	if n.v != nil || s.v != nil {
		t.Errorf("row 2 with the kept plans: %v, %v, want NULLs", n.v, s.v)
	}
	read(1, n, s)
	if n.String() != "int64 42" || s.String() != `text "forty-two"` {
		t.Errorf("row 1 again with the kept plans: %s, %s", n, s)
	}
	if kept() != first {
		t.Error("the plans were made again for the same destinations")
	}

	// Other destinations: new plans, and what database/sql gives them.
	var ni sql.NullInt64
	var ns sql.NullString
	read(1, &ni, &ns)
	if ni != (sql.NullInt64{Int64: 42, Valid: true}) || ns != (sql.NullString{String: "forty-two", Valid: true}) {
		t.Errorf("row 1 into other destinations: %v, %v", ni, ns)
	}
	if kept() == first {
		t.Error("the plans were kept for other destinations")
	}

	// A destination too few fails as rows.Scan fails.
	if err := st.readPgx(t.Context(), context.WithoutCancel(t.Context()), []any{1}, []any{&ni}); err == nil {
		t.Error("a read into one destination of two columns succeeded")
	}
}
