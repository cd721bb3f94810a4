package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	sqlite3 "modernc.org/sqlite/lib"
)

// testCell records what it receives, through Scan (the driver's value) or
// through the setters (the raw path's), in the same form.
type testCell struct {
	kind string // null, int, float, text, time
	v    any
}

func (c *testCell) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		c.SetNull()
	case int64:
		c.SetInt(v)
	case float64:
		c.SetFloat(v)
	case string:
		c.SetText([]byte(v))
	case []byte:
		c.SetText(v)
	case time.Time:
		c.SetTime(v)
	default:
		return fmt.Errorf("unexpected driver value %T", v)
	}
	return nil
}

func (c *testCell) SetNull()            { c.kind, c.v = "null", nil }
func (c *testCell) SetInt(v int64)      { c.kind, c.v = "int", v }
func (c *testCell) SetFloat(v float64)  { c.kind, c.v = "float", v }
func (c *testCell) SetText(v []byte)    { c.kind, c.v = "text", string(v) }
func (c *testCell) SetTime(v time.Time) { c.kind, c.v = "time", v }

func testDest(n int) []any {
	dest := make([]any, n)
	for i := range dest {
		dest[i] = &testCell{}
	}
	return dest
}

// openWAL opens a SQLite file in WAL mode, seeded with the shop.
func openWAL(t *testing.T, dsnParams string) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shop.db")
	db := open(t, config.Database{Driver: "sqlite", DSN: "file:" + path + dsnParams, MaxOpen: 4,
		JournalMode: "wal", Bootstrap: shopBootstrap})
	if db.raw == nil {
		t.Fatal("no raw read path on a SQLite file in WAL mode")
	}
	return db
}

// readBoth reads query's first row with args through database/sql and
// through the raw path, and fails the test unless both give the same
// cells (or the same error class). It returns the raw path's cells.
func readBoth(t *testing.T, db *DB, s *ReadStmt, args ...any) ([]any, error) {
	t.Helper()
	c := s.raw.get()
	if c == nil {
		t.Fatal("the raw path is off")
	}
	st, err := c.stmt(s)
	if err != nil {
		s.raw.put(c)
		t.Fatal(err)
	}
	n := len(st.times)
	want := testDest(n)
	wantErr := s.QueryRowContext(t.Context(), args...).Scan(want...)
	got := testDest(n)
	ok, gotErr := c.readRow(s, args, got)
	s.raw.put(c)
	if !ok {
		t.Fatalf("%s: the raw path declined", s.query)
	}
	if (wantErr == nil) != (gotErr == nil) || errors.Is(wantErr, sql.ErrNoRows) != errors.Is(gotErr, sql.ErrNoRows) ||
		db.Classify(t.Context(), wantErr) != db.Classify(t.Context(), gotErr) {
		t.Fatalf("%s %v: error %v, database/sql's %v", s.query, args, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s %v: column %d is %+v, database/sql's %+v", s.query, args, i, *got[i].(*testCell), *want[i].(*testCell))
			}
		}
	}
	return got, gotErr
}

// columns are the names of query's columns.
func columns(t *testing.T, db *DB, query string, args []any) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

func prepareRead(t *testing.T, db *DB, query string) *ReadStmt {
	t.Helper()
	s, err := db.PrepareRead(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Every row of every table of the shop reads the same through the raw
// path as through database/sql.
func TestRawShop(t *testing.T) {
	db := openWAL(t, "")
	rows, err := db.QueryContext(t.Context(), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 5 {
		t.Fatalf("tables %v", tables)
	}
	read := 0
	for _, table := range tables {
		s := prepareRead(t, db, "SELECT * FROM "+table+" LIMIT 1 OFFSET ?")
		for i := 0; ; i++ {
			_, err := readBoth(t, db, s, int64(i))
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			read++
		}
	}
	if read < 200 {
		t.Errorf("read %d rows", read)
	}
}

// Edge values read the same: NULLs, empty text and blobs, unicode, the
// extreme integers, floats, times in the forms the driver parses, and
// text it does not, under each declared time type.
func TestRawValues(t *testing.T) {
	db := openWAL(t, "")
	run(t, db, `CREATE TABLE edge (id INTEGER PRIMARY KEY, t TEXT, i INTEGER, f REAL, b BLOB,
		d DATE, dt DATETIME, ts timestamp, v VARCHAR(10), n NUMERIC, any)`)
	values := []string{
		"NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL",
		"'', 0, 0.0, x'', '', '', '', '', '', ''",
		"'héllo wörld ✓ 日本語 🎉', 9223372036854775807, 1.5e308, x'00ff10', '2024-01-05', '2024-01-05 09:14:00', '2024-01-05T09:14:00Z', 'ü', 12.50, 'x'",
		"'a''b\"c\\d', -9223372036854775808, -0.000001, x'00', '2024-01-05 09:14', '2024-01-05T09:14:00.123456789+02:00', '2024-01-05 09:14:00.5-07:00', '', 3, 1",
		"'\n\t', 1, 3.141592653589793, 'text in blob', 'not a date', '2024-13-45 99:99:99', '2024-01-05T09:14', 'x', '1e3', 2.5",
		"'x', 2, 1e-300, x'ffff', 1704446040, 1704446040.5, '2024-01-05 09:14:00 +0000 UTC', NULL, NULL, x'01'",
		"'y', 3, 2.0, NULL, '2023-02-01 10:00:00.000 +0100 CET m=+0.001', '  2024-01-05  ', '2024-01-05Z', NULL, NULL, NULL",
	}
	for _, v := range values {
		run(t, db, "INSERT INTO edge (t, i, f, b, d, dt, ts, v, n, any) VALUES ("+v+")")
	}
	s := prepareRead(t, db, "SELECT * FROM edge WHERE id = ?")
	times := 0
	for id := range len(values) + 1 {
		got, err := readBoth(t, db, s, int64(id+1))
		if err != nil && !(id == len(values) && errors.Is(err, sql.ErrNoRows)) {
			t.Fatal(err)
		}
		for _, c := range got {
			if c.(*testCell).kind == "time" {
				times++
			}
		}
	}
	if times < 8 {
		t.Errorf("%d times parsed", times)
	}
	// The same statement reads each row again, with its parse hints set.
	for id := range len(values) {
		readBoth(t, db, s, int64(id+1))
	}
}

// Arguments of every type the raw path binds bind as the driver binds
// them, several texts at a time, and expressions without a declared type
// read as they are.
func TestRawArgs(t *testing.T) {
	db := openWAL(t, "")
	s := prepareRead(t, db, "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, typeof(?), length(?)")
	long := string(make([]byte, 5000))
	for _, args := range [][]any{
		{nil, int64(-1), 7, 2.5, true, false, "", "ü✓", []byte{0, 1}, []byte{}, []byte(nil), long},
		{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"},
		{long, long + "x", int64(math.MaxInt64), math.Inf(1), "2024-01-05", 0, 1, "", nil, "z", "", ""},
	} {
		readBoth(t, db, s, args...)
	}
	// A key with no row is sql.ErrNoRows, on both paths.
	products := prepareRead(t, db, "SELECT product_id, name, created_at FROM products WHERE product_id = ? AND lang = ?")
	readBoth(t, db, products, "P-1001", "en")
	if _, err := readBoth(t, db, products, "nope", "en"); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("no row: %v", err)
	}
	// An error while the statement runs is classified alike.
	bad := prepareRead(t, db, "SELECT json_extract(?, '$')")
	if _, err := readBoth(t, db, bad, "{not json"); err == nil {
		t.Error("malformed JSON read")
	}
}

// ReadRow takes the raw path only where it reads the same: a ReadStmt of
// another argument type, a transaction or a cancelable context goes
// through database/sql and reads the same row.
func TestRawFallback(t *testing.T) {
	db := openWAL(t, "")
	s := prepareRead(t, db, "SELECT name, price_cents FROM products WHERE product_id = ? AND lang = ? AND status = ?")
	args := []any{"P-1001", "en", "live"}
	read := func(ctx context.Context, tx *sql.Tx, args ...any) []any {
		t.Helper()
		dest := testDest(2)
		if err := s.ReadRow(ctx, tx, args, dest); err != nil {
			t.Fatal(err)
		}
		return dest
	}
	want := read(context.Background(), nil, args...)
	if got := read(t.Context(), nil, args...); !reflect.DeepEqual(got, want) {
		t.Errorf("cancelable: %v, want %v", got, want)
	}
	if got := read(context.Background(), nil, sql.NullString{String: "P-1001", Valid: true}, "en", "live"); !reflect.DeepEqual(got, want) {
		t.Errorf("a driver.Valuer: %v, want %v", got, want)
	}
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(t.Context(), "UPDATE products SET price_cents = 1 WHERE product_id = 'P-1001'"); err != nil {
		t.Fatal(err)
	}
	if got := read(context.Background(), tx, args...); got[1].(*testCell).v != int64(1) {
		t.Errorf("within the transaction: %v, want its own write", got)
	}
	if got := read(context.Background(), nil, args...); !reflect.DeepEqual(got, want) {
		t.Errorf("outside the transaction: %v, want %v", got, want)
	}
	// Too few arguments: database/sql's error, not a raw one.
	if err := s.ReadRow(context.Background(), nil, []any{"P-1001"}, testDest(2)); err == nil {
		t.Error("too few arguments read")
	}
}

// The raw path serves SQLite files in WAL mode with the DSN parameters it
// honours, nothing else.
func TestRawOnlyWAL(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		cfg  config.Database
		raw  bool
	}{
		{"wal", config.Database{Driver: "sqlite", DSN: filepath.Join(dir, "a.db"), JournalMode: "wal"}, true},
		{"delete", config.Database{Driver: "sqlite", DSN: filepath.Join(dir, "b.db"), JournalMode: "delete"}, false},
		{"memory", config.Database{Driver: "sqlite", DSN: ":memory:", JournalMode: "wal"}, false},
		{"time zone", config.Database{Driver: "sqlite", DSN: filepath.Join(dir, "c.db") + "?_timezone=UTC", JournalMode: "wal"}, false},
		{"vfs", config.Database{Driver: "sqlite", DSN: "file:" + filepath.Join(dir, "d.db") + "?vfs=unix", JournalMode: "wal"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.MaxOpen = 2
			db := open(t, c.cfg)
			if (db.raw != nil) != c.raw {
				t.Errorf("raw path %v, want %v", db.raw != nil, c.raw)
			}
		})
	}
}

func TestRawDSN(t *testing.T) {
	name, pragmas, ok := rawDSN("file:x.db?_pragma=journal_mode(wal)&_pragma=foreign_keys(1)&_pragma=cache_size(-2000)&_pragma=busy_timeout(5000)&_txlock=immediate")
	if !ok || name != "file:x.db?_pragma=journal_mode(wal)&_pragma=foreign_keys(1)&_pragma=cache_size(-2000)&_pragma=busy_timeout(5000)&_txlock=immediate" ||
		!reflect.DeepEqual(pragmas, []string{"busy_timeout(5000)", "cache_size(-2000)"}) {
		t.Errorf("file: URI: %q %q %v", name, pragmas, ok)
	}
	name, pragmas, ok = rawDSN("x.db?_busy_timeout=100")
	if !ok || name != "x.db" || !reflect.DeepEqual(pragmas, []string{"busy_timeout = 100"}) {
		t.Errorf("path: %q %q %v", name, pragmas, ok)
	}
	if _, _, ok := rawDSN("x.db?_inttotime=1"); ok {
		t.Error("_inttotime honoured")
	}
}

// The raw path's errors are classified as the driver's of the same
// code: a file that does not open, SQLITE_BUSY and I/O errors are
// unavailable. Its connections keep the DSN's busy_timeout.
func TestRawErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing", "x.db")
	_, rawErr := openRaw(missing, nil)
	x, err := sql.Open("sqlite", "file:"+missing+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	driverErr := x.PingContext(t.Context())
	db := &DB{dialect: sqliteDialect{}}
	if rawErr == nil || driverErr == nil || db.Classify(t.Context(), rawErr) != db.Classify(t.Context(), driverErr) ||
		db.Classify(t.Context(), rawErr).Class != ClassUnavailable {
		t.Errorf("a missing file: %v, database/sql's %v", rawErr, driverErr)
	}
	for _, code := range []int{sqlite3.SQLITE_BUSY, sqlite3.SQLITE_IOERR_READ, sqlite3.SQLITE_LOCKED} {
		err := &rawError{code: code, msg: "x"}
		if e := db.Classify(t.Context(), err); e.Class != ClassUnavailable {
			t.Errorf("code %d: class %d", code, e.Class)
		}
		if !errors.Is(db.Fail(t.Context(), err, nil), apos.ErrUnavailable) {
			t.Errorf("code %d: %v", code, db.Fail(t.Context(), err, nil))
		}
	}

	wal := openWAL(t, "?_pragma=busy_timeout(50)")
	s := prepareRead(t, wal, "PRAGMA busy_timeout")
	if got, _ := readBoth(t, wal, s); got[0].(*testCell).v != int64(50) {
		t.Errorf("busy_timeout %v", got[0])
	}
}

// Readers on the raw path see every committed write of another
// connection, never a value going back, while the writer goes on.
func TestRawConcurrent(t *testing.T) {
	db := openWAL(t, "")
	run(t, db, "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, label TEXT NOT NULL)")
	run(t, db, "INSERT INTO counter VALUES (1, 0, '0')")
	s := prepareRead(t, db, "SELECT n, label FROM counter WHERE id = ?")
	const writes = 200
	var committed sync.Map // n -> true once committed
	committed.Store(int64(0), true)
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 8 {
		wg.Go(func() {
			last := int64(-1)
			for {
				select {
				case <-done:
					return
				default:
				}
				dest := testDest(2)
				if err := s.ReadRow(context.Background(), nil, []any{int64(1)}, dest); err != nil {
					errs <- err
					return
				}
				n := dest[0].(*testCell).v.(int64)
				if n < last || dest[1].(*testCell).v != fmt.Sprint(n) {
					errs <- fmt.Errorf("read %d %v after %d", n, dest[1].(*testCell).v, last)
					return
				}
				if _, ok := committed.Load(n); !ok {
					errs <- fmt.Errorf("read %d before its commit", n)
					return
				}
				last = n
			}
		})
	}
	for i := int64(1); i <= writes; i++ {
		committed.Store(i, true) // before the commit: a reader may see it at once
		if _, err := db.ExecContext(t.Context(), "UPDATE counter SET n = ?, label = ? WHERE id = 1", i, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		dest := testDest(2)
		if err := s.ReadRow(context.Background(), nil, []any{int64(1)}, dest); err != nil || dest[0].(*testCell).v != i {
			t.Fatalf("after commit %d read %v, %v", i, dest[0].(*testCell).v, err)
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Closing the database closes the raw path; reads then fail as through
// database/sql.
func TestRawClose(t *testing.T) {
	db := openWAL(t, "")
	s, err := db.PrepareRead(t.Context(), "SELECT 1 WHERE ? = 1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReadRow(context.Background(), nil, []any{int64(1)}, testDest(1)); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err == nil {
		// database/sql's second Close is fine too; the raw pool's is a no-op.
		_ = err
	}
	if err := s.ReadRow(context.Background(), nil, []any{int64(1)}, testDest(1)); err == nil {
		t.Error("read after Close")
	}
}

// A single-row read on the raw path allocates nothing of its own.
func TestRawAllocs(t *testing.T) {
	db := openWAL(t, "")
	s := prepareRead(t, db, "SELECT * FROM products WHERE product_id = ? AND lang = ? AND status = ?")
	dest := testDest(len(columns(t, db, s.query, []any{"P-1001", "en", "live"})))
	for i := range dest {
		dest[i] = &allocCell{}
	}
	args := []any{"P-1001", "en", "live"}
	ctx := context.Background()
	if n := testing.AllocsPerRun(200, func() {
		if err := s.ReadRow(ctx, nil, args, dest); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per read", n)
	}
}

// allocCell is a Cell that, as sqlbackend's, reuses its buffer.
type allocCell struct{ text []byte }

func (c *allocCell) Scan(any) error      { return nil }
func (c *allocCell) SetNull()            {}
func (c *allocCell) SetInt(int64)        {}
func (c *allocCell) SetFloat(float64)    {}
func (c *allocCell) SetText(v []byte)    { c.text = append(c.text[:0], v...) }
func (c *allocCell) SetTime(v time.Time) {}

// Rows of a query read the same on the raw path as through database/sql,
// row after row, and hand their connection back when done or closed.
func TestRawRows(t *testing.T) {
	db := openWAL(t, "")
	s := prepareRead(t, db, "SELECT * FROM products WHERE lang = ? ORDER BY product_id, status")
	want := readAll(t, s.QueryContext)
	if len(want) < 50 {
		t.Fatalf("%d rows", len(want))
	}
	got := readAll(t, func(ctx context.Context, args ...any) (rowsScanner, error) {
		r, err := s.Query(context.Background(), args...)
		if err == nil && r.rows != nil {
			t.Fatal("not on the raw path")
		}
		return r, err
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("raw rows differ: %d rows, database/sql's %d", len(got), len(want))
	}
	// A read while rows hold every connection waits for one.
	var held []*Rows
	for range db.raw.size {
		r, err := s.Query(context.Background(), "en")
		if err != nil || r.rows != nil || !r.Next() {
			t.Fatalf("rows %d: %v", len(held), err)
		}
		held = append(held, r)
	}
	one := prepareRead(t, db, "SELECT name FROM products WHERE product_id = ? AND lang = ? AND status = ?")
	read := make(chan error)
	go func() {
		read <- one.ReadRow(context.Background(), nil, []any{"P-1001", "en", "live"}, testDest(1))
	}()
	select {
	case err := <-read:
		t.Fatalf("read while every raw connection is in use: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	held[0].Close()
	if err := <-read; err != nil {
		t.Fatal(err)
	}
	for _, r := range held {
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if r.Next() || r.Scan(testDest(12)...) == nil {
			t.Error("closed rows read")
		}
	}
	if len(db.raw.conns) != db.raw.size {
		t.Errorf("%d of %d connections back in the pool", len(db.raw.conns), db.raw.size)
	}
	// An error while stepping ends the rows with it, classified alike.
	bad := prepareRead(t, db, "SELECT json_extract(value, '$') FROM json_each(?)")
	r, err := bad.Query(context.Background(), `["{}", "{not json"]`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		if err := r.Scan(testDest(1)...); err != nil {
			t.Fatal(err)
		}
	}
	if r.Err() == nil || db.Classify(t.Context(), r.Err()).Class != ClassOther {
		t.Errorf("error %v", r.Err())
	}
	// Scan wants a Cell per column.
	r, _ = s.Query(context.Background(), "en")
	defer r.Close()
	r.Next()
	if r.Scan(testDest(2)...) == nil {
		t.Error("scanned 2 of 12 columns")
	}
	var name string
	dest := testDest(12)
	dest[0] = &name
	if r.Scan(dest...) == nil {
		t.Error("scanned into a *string")
	}
}

type rowsScanner interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}

// readAll reads every English product with query.
func readAll[R rowsScanner](t *testing.T, query func(context.Context, ...any) (R, error)) [][]any {
	t.Helper()
	rows, err := query(t.Context(), "en")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		dest := testDest(12)
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out = append(out, dest)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// RawHook, set as the database opens, sees each statement the raw path
// runs, single-row reads and rows alike, with its arguments.
func TestRawHook(t *testing.T) {
	var seen []string
	RawHook = func(query string, args []any) { seen = append(seen, fmt.Sprint(query, args)) }
	db := openWAL(t, "")
	RawHook = nil
	s := prepareRead(t, db, "SELECT name FROM products WHERE product_id = ?")
	ctx := context.WithoutCancel(t.Context()) // what the raw path reads with
	if err := s.ReadRow(ctx, nil, []any{"P-1001"}, testDest(1)); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(ctx, "P-1002")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	want := []string{"SELECT name FROM products WHERE product_id = ?[P-1001]", "SELECT name FROM products WHERE product_id = ?[P-1002]"}
	if !slices.Equal(seen, want) {
		t.Errorf("RawHook saw %q, want %q", seen, want)
	}
}
