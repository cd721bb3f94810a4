package legacy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// A write by a key that names several rows (a type the start's check
// would refuse, opened here without it) changes nothing: the delete and
// the update roll back with a conflict.
func TestWriteTouchesOneRow(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		dsn := database(t, e)
		if e == testkit.SQLite {
			bootstrap(t, dsn)
		}
		writable := func(s string) string {
			return strings.Replace(s, "key = \"BookId\"\nread_only = true", "key = \"BookId\"", 1)
		}
		cfg, err := parse(t, e, dsn, writable)
		if err != nil {
			t.Fatal(err)
		}
		set, err := backends.Open(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer set.Close()
		loan := set.Adapters["loan"]
		s := apos.Scope{}
		err = loan.Delete(t.Context(), s, "1", func(*adapters.Record) error { return nil })
		if !errors.Is(err, apos.ErrConflict) {
			t.Errorf("delete of a key with 2 rows: %v, want a conflict", err)
		}
		_, err = loan.Update(t.Context(), s, "1", func(*adapters.Record) ([]adapters.Value, error) {
			return []adapters.Value{{Field: "borrower", V: "Everyone"}}, nil
		})
		if !errors.Is(err, apos.ErrConflict) {
			t.Errorf("update of a key with 2 rows: %v, want a conflict", err)
		}
		b := &bookshop{t: t, engine: e.Name, db: open(t, e.Name, dsn)}
		if n := b.count(`"LoanLog"`, "1 = 1"); n != 3 || b.count(`"LoanLog"`, `"Borrower" = 'Everyone'`) != 0 {
			t.Errorf("the refused writes changed the table: %d rows", n)
		}
	})
}
