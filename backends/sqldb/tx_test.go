package sqldb

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestInTx runs configured statements on every engine: counts, values
// bound (never spliced), locking reads, commit and rollback, and error
// mapping. Rendering their rows is the SQL backend's (sqlbackend.Run).
func TestInTx(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *DB) {
		run(t, db, `CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL UNIQUE, price INTEGER NOT NULL);
INSERT INTO items (id, name, price) VALUES (1, 'Apple', 100);
INSERT INTO items (id, name, price) VALUES (2, 'Pear', 250);
INSERT INTO items (id, name, price) VALUES (3, 'Plum', 250);`)
		ctx := t.Context()
		compile := func(t *testing.T, src string) *Statement {
			t.Helper()
			st, err := db.Compile(src)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		exec := func(t *testing.T, src string, args map[string]any) (n int64, err error) {
			t.Helper()
			st := compile(t, src)
			err = db.InTx(ctx, false, func(tx *Tx) error {
				n, err = tx.Exec(ctx, st, args)
				return err
			})
			return n, err
		}
		ids := func(t *testing.T, src string, args map[string]any) (got []int64) {
			t.Helper()
			st := compile(t, src)
			err := db.InTx(ctx, st.ReadOnly(), func(tx *Tx) error {
				rows, err := tx.Query(ctx, st, args)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						return err
					}
					got = append(got, id)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		t.Run("values are bound, never spliced", func(t *testing.T) {
			if got := ids(t, "SELECT id FROM items WHERE name = :n", map[string]any{"n": "x' OR '1'='1"}); len(got) != 0 {
				t.Fatalf("got %v, want none", got)
			}
			if got := ids(t, "SELECT id FROM items WHERE (price = :p OR :p IS NULL) AND id < 3 ORDER BY id", nil); !slices.Equal(got, []int64{1, 2}) {
				t.Fatalf("a missing parameter is NULL: got %v, want [1 2]", got)
			}
		})
		t.Run("FOR UPDATE on every engine", func(t *testing.T) {
			got := ids(t, "SELECT id FROM items WHERE id IN (:a, :b) ORDER BY id FOR UPDATE", map[string]any{"a": int64(1), "b": int64(3)})
			if !slices.Equal(got, []int64{1, 3}) {
				t.Fatalf("got %v, want [1 3]", got)
			}
		})
		t.Run("rows changed and matched", func(t *testing.T) {
			if n, err := exec(t, "UPDATE items SET price = price WHERE id <= :id", map[string]any{"id": int64(2)}); err != nil || n != 2 {
				t.Fatalf("unchanged rows: %d %v, want 2 matched", n, err)
			}
			if n, err := exec(t, "UPDATE items SET price = :p WHERE price = 250", map[string]any{"p": int64(300)}); err != nil || n != 2 {
				t.Fatalf("changed rows: %d %v, want 2", n, err)
			}
			if got := ids(t, "SELECT id FROM items WHERE price = :p ORDER BY id", map[string]any{"p": int64(300)}); !slices.Equal(got, []int64{2, 3}) {
				t.Fatalf("committed: got %v, want [2 3]", got)
			}
		})
		t.Run("the transaction rolls back on error", func(t *testing.T) {
			st := compile(t, "UPDATE items SET price = 1")
			refuse := apos.Errorf(apos.ErrInvalid, "no")
			err := db.InTx(ctx, false, func(tx *Tx) error {
				if _, err := tx.Exec(ctx, st, nil); err != nil {
					return err
				}
				return refuse
			})
			if err != refuse {
				t.Fatalf("error %v, want the function's own", err)
			}
			if got := ids(t, "SELECT id FROM items WHERE price = 1", nil); len(got) != 0 {
				t.Fatalf("the update was kept: %v", got)
			}
		})
		t.Run("driver errors are mapped", func(t *testing.T) {
			_, err := exec(t, "INSERT INTO items (id, name, price) VALUES (:id, 'Apple', 1)", map[string]any{"id": int64(9)})
			if !errors.Is(err, apos.ErrConflict) {
				t.Fatalf("duplicate: %v, want conflict", err)
			}
			_, err = exec(t, "INSERT INTO items (id, name, price) VALUES (10, 'Fig', :p)", map[string]any{"p": nil})
			if !errors.Is(err, apos.ErrInvalid) {
				t.Fatalf("NOT NULL: %v, want invalid", err)
			}
		})
		t.Run("the deadline", func(t *testing.T) {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			err := db.InTx(ctx, true, func(*Tx) error { return nil })
			if !errors.Is(err, apos.ErrTimeout) {
				t.Fatalf("error %v, want timeout", err)
			}
		})
	})
}
