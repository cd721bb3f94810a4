package sqlbackend

import (
	"slices"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestRun runs configured statements on every engine: rows rendered alike,
// counts and values bound (never spliced). Transactions, rollback and error
// mapping are sqldb's (its TestInTx).
func TestRun(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		run(t, db, `CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL UNIQUE, price INTEGER NOT NULL);
INSERT INTO items (id, name, price) VALUES (1, 'Apple', 100);
INSERT INTO items (id, name, price) VALUES (2, 'Pear', 250);
INSERT INTO items (id, name, price) VALUES (3, 'Plum', 250);`)
		ctx := t.Context()
		one := func(t *testing.T, src string, args map[string]any) (*Result, error) {
			t.Helper()
			st, err := db.Compile(src)
			if err != nil {
				t.Fatal(err)
			}
			var res *Result
			err = db.InTx(ctx, st.ReadOnly(), func(tx *sqldb.Tx) error {
				var err error
				res, err = Run(ctx, tx, st, args, 10)
				return err
			})
			return res, err
		}
		for _, tc := range []struct {
			name  string
			src   string
			args  map[string]any
			rows  string
			count int64
			first []any
		}{
			{"rows as objects", "SELECT id, name, price FROM items WHERE price = :p ORDER BY id", map[string]any{"p": int64(250)},
				`{"id":2,"name":"Pear","price":250}|{"id":3,"name":"Plum","price":250}`, 2, []any{int64(2), "Pear", int64(250)}},
			{"an aggregate without parameters", "SELECT COUNT(*) AS n FROM items", nil, `{"n":3}`, 1, []any{int64(3)}},
			{"a text value for an integer column", "SELECT name FROM items WHERE id = :id", map[string]any{"id": "2"},
				`{"name":"Pear"}`, 1, []any{"Pear"}},
			{"an injection attempt is a value", "SELECT name FROM items WHERE name = :n", map[string]any{"n": "x' OR '1'='1"}, "", 0, nil},
			{"a missing parameter is NULL", "SELECT name FROM items WHERE name = :n", nil, "", 0, nil},
			{"an optional filter", "SELECT name FROM items WHERE (price = :p OR :p IS NULL) AND id < 3 ORDER BY id", nil,
				`{"name":"Apple"}|{"name":"Pear"}`, 2, []any{"Apple"}},
			{"rows changed", "UPDATE items SET price = :p WHERE price = 250", map[string]any{"p": int64(300)}, "", 2, nil},
			{"rows matched, even unchanged", "UPDATE items SET price = price WHERE id <= :id", map[string]any{"id": int64(2)}, "", 2, nil},
			{"FOR UPDATE on every engine", "SELECT id FROM items WHERE id IN (:a, :b) ORDER BY id FOR UPDATE",
				map[string]any{"a": int64(1), "b": int64(3)}, `{"id":1}|{"id":3}`, 2, []any{int64(1)}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, err := one(t, tc.src, tc.args)
				if err != nil {
					t.Fatal(err)
				}
				var rows []string
				for _, r := range res.Rows {
					rows = append(rows, string(r))
				}
				if got := strings.Join(rows, "|"); got != tc.rows || res.Count != tc.count || !slices.Equal(res.First, tc.first) {
					t.Fatalf("got %s count %d first %#v, want %s count %d first %#v", got, res.Count, res.First, tc.rows, tc.count, tc.first)
				}
			})
		}
		t.Run("too many rows", func(t *testing.T) {
			st, _ := db.Compile("SELECT id FROM items")
			err := db.InTx(ctx, true, func(tx *sqldb.Tx) error {
				_, err := Run(ctx, tx, st, nil, 2)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "more than 2 rows") {
				t.Fatalf("error %v", err)
			}
		})
	})
}
