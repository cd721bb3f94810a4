package sqldb

import (
	"math"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestParamIntRanges: PostgreSQL types each parameter of a statement from
// its use, and the narrower integers are bounded; the other engines take
// any integer.
func TestParamIntRanges(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *DB) {
		run(t, db, `CREATE TABLE counts (id INTEGER PRIMARY KEY, small SMALLINT, big BIGINT, name VARCHAR(10));`)
		st, err := db.Compile("SELECT id FROM counts WHERE id IN (:a, :b) AND small = :s AND big = :g AND name = :n AND (:a IS NULL OR id > :a)")
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.IntRanges(t.Context(), st)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]IntRange{}
		if e.Name == "postgres" {
			want = map[string]IntRange{"a": {math.MinInt32, math.MaxInt32}, "b": {math.MinInt32, math.MaxInt32}, "s": {math.MinInt16, math.MaxInt16}}
		}
		if len(got) != len(want) {
			t.Fatalf("ranges %v, want %v", got, want)
		}
		for name, r := range want {
			if got[name] != r {
				t.Errorf("%s: %v, want %v", name, got[name], r)
			}
		}
	})
}
