package sqldb

import (
	"slices"
	"strings"
	"testing"
)

func TestCompile(t *testing.T) {
	sqlite := &DB{dialect: sqliteDialect{}}
	pg := &DB{dialect: postgresDialect{}}
	mysql := &DB{dialect: mysqlDialect{}}
	for _, tc := range []struct {
		name   string
		db     *DB
		src    string
		text   string
		params []string
		binds  []string
		rows   bool
		err    string
	}{
		{name: "question marks", db: sqlite, src: "SELECT id FROM t WHERE a = :a AND b = :b",
			text: "SELECT id FROM t WHERE a = ? AND b = ?", params: []string{"a", "b"}, binds: []string{"a", "b"}, rows: true},
		{name: "dollars, a name used twice", db: pg, src: "UPDATE t SET a = :a WHERE id = :id OR a = :a",
			text: "UPDATE t SET a = $1 WHERE id = $2 OR a = $1", params: []string{"a", "id"}, binds: []string{"a", "id"}},
		{name: "question marks, a name used twice", db: mysql, src: "UPDATE t SET a = :a WHERE id = :id OR a = :a",
			text: "UPDATE t SET a = ? WHERE id = ? OR a = ?", params: []string{"a", "id"}, binds: []string{"a", "id", "a"}},
		{name: "casts, literals, identifiers and comments are not parameters", db: pg,
			src:    "SELECT x::int, ':no', \"a:b\", $$:no$$, $t$:no$t$ -- :no\n/* :no */ FROM t WHERE y = :yes",
			text:   "SELECT x::int, ':no', \"a:b\", $$:no$$, $t$:no$t$ -- :no\n/* :no */ FROM t WHERE y = $1",
			params: []string{"yes"}, binds: []string{"yes"}, rows: true},
		{name: "doubled quotes and backquotes", db: mysql, src: "SELECT 'it''s :no', `a:b` FROM t WHERE c = :c",
			text: "SELECT 'it''s :no', `a:b` FROM t WHERE c = ?", params: []string{"c"}, binds: []string{"c"}, rows: true},
		{name: "a lone colon", db: sqlite, src: "SELECT ': ' || :x", text: "SELECT ': ' || ?", params: []string{"x"}, binds: []string{"x"}, rows: true},
		{name: "FOR UPDATE dropped on SQLite", db: sqlite, src: "SELECT id FROM t WHERE id = :id FOR UPDATE;",
			text: "SELECT id FROM t WHERE id = ?", params: []string{"id"}, binds: []string{"id"}, rows: true},
		{name: "FOR UPDATE kept on PostgreSQL", db: pg, src: "SELECT id FROM t WHERE id = :id\n  for update",
			text: "SELECT id FROM t WHERE id = $1\n  for update", params: []string{"id"}, binds: []string{"id"}, rows: true},
		{name: "RETURNING gives rows", db: pg, src: "insert into t (a) values (:a) returning id",
			text: "insert into t (a) values ($1) returning id", params: []string{"a"}, binds: []string{"a"}, rows: true},
		{name: "WITH gives rows", db: mysql, src: "with x as (select 1) select * from x", text: "with x as (select 1) select * from x", rows: true},
		{name: "jsonb ? on PostgreSQL", db: pg, src: "SELECT doc ? 'k' FROM t", text: "SELECT doc ? 'k' FROM t", rows: true},
		{name: "no parameters", db: sqlite, src: "DELETE FROM t", text: "DELETE FROM t"},
		{name: "positional ?", db: mysql, src: "SELECT * FROM t WHERE id = ?", err: "positional placeholder ?"},
		{name: "positional $1", db: pg, src: "SELECT * FROM t WHERE id = $1", err: "positional placeholder $1"},
		{name: "unclosed literal", db: sqlite, src: "SELECT 'abc", err: "unclosed '"},
		{name: "unclosed comment", db: sqlite, src: "SELECT 1 /* x", err: "unclosed /*"},
		{name: "unclosed dollar quote", db: pg, src: "SELECT $a$ x", err: "unclosed $a$"},
		{name: "empty", db: sqlite, src: " ; ", err: "empty statement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := tc.db.Compile(tc.src)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.text != tc.text || !slices.Equal(st.Params(), tc.params) || !slices.Equal(st.binds, tc.binds) || st.ReturnsRows() != tc.rows {
				t.Fatalf("got %q %v %v rows=%v, want %q %v %v rows=%v",
					st.text, st.Params(), st.binds, st.ReturnsRows(), tc.text, tc.params, tc.binds, tc.rows)
			}
		})
	}
}

func TestReadOnly(t *testing.T) {
	db := &DB{dialect: postgresDialect{}}
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"SELECT id, last_update FROM t WHERE a = :a", true},
		{"select count(*) from t", true},
		{"SELECT id FROM t WHERE id = :id FOR UPDATE", false},
		{"SELECT id FROM t FOR SHARE", false},
		{"SELECT * INTO copy FROM t", false},
		{"WITH d AS (DELETE FROM t RETURNING id) SELECT * FROM d", false},
		{"UPDATE t SET a = 1", false},
		{"INSERT INTO t (a) VALUES (1) RETURNING id", false},
	} {
		st, err := db.Compile(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if st.ReadOnly() != tc.want {
			t.Errorf("%q: ReadOnly %v, want %v", tc.src, st.ReadOnly(), tc.want)
		}
	}
}
