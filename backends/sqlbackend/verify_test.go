package sqlbackend

import (
	"math"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

func TestVerify(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		a := catalogOn(t, db, e)
		if err := a.Verify(t.Context()); err != nil {
			t.Fatalf("verify: %v", err)
		}

		typ := catalogType()
		typ.Fields[2].Column = "colr"
		typ.Mode.Column = "status"
		_, err := New(db, typ, Options{DefaultLocale: "en"})
		want := `table "catalog" has no column "status" (mode); table "catalog" has no column "colr" (field color)`
		if err == nil || err.Error() != want {
			t.Errorf("new with missing columns: error %v, want %s", err, want)
		}

		run(t, db, "ALTER TABLE catalog RENAME COLUMN colour TO colr;")
		want = `types.product: table "catalog" has no column "colour" (field color)`
		if err := a.Verify(t.Context()); err == nil || err.Error() != want {
			t.Errorf("verify a renamed column: error %v, want %s", err, want)
		}

		run(t, db, "DROP TABLE catalog;")
		want = `types.product: table "catalog" cannot be read: `
		if err := a.Verify(t.Context()); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("verify a missing table: error %v, want %s...", err, want)
		}
	})
}

// integerDDL creates a table with an integer column of each width.
var integerDDL = map[string]string{
	"sqlite": `CREATE TABLE ints (id INTEGER PRIMARY KEY, i2 SMALLINT, i4 INT, i8 BIGINT, n INTEGER, u4 INTEGER, txt VARCHAR(10));`,
	"postgres": `CREATE TABLE ints (id SERIAL PRIMARY KEY, i2 SMALLINT, i4 INTEGER, i8 BIGINT, n NUMERIC(20), u4 INTEGER,
  txt VARCHAR(10));`,
	"mysql": `CREATE TABLE ints (id INT PRIMARY KEY, i2 SMALLINT, i4 INT, i8 BIGINT, n MEDIUMINT UNSIGNED, u4 INT UNSIGNED,
  txt VARCHAR(10));`,
}

// TestIntegerRanges: New bounds each integer field and the key by their
// columns' types, so that what the column cannot hold is refused (fields)
// or matches nothing (ids); SQLite holds 64 bits in any integer column.
func TestIntegerRanges(t *testing.T) {
	full := [2]int64{math.MinInt64, math.MaxInt64}
	want := map[string]map[string][2]int64{
		"sqlite":   {"i2": full, "i4": full, "i8": full, "n": full, "u4": full, "txt": full},
		"postgres": {"i2": {math.MinInt16, math.MaxInt16}, "i4": {math.MinInt32, math.MaxInt32}, "i8": full, "n": full, "u4": {math.MinInt32, math.MaxInt32}, "txt": full},
		"mysql":    {"i2": {math.MinInt16, math.MaxInt16}, "i4": {math.MinInt32, math.MaxInt32}, "i8": full, "n": {0, 1<<24 - 1}, "u4": {0, math.MaxUint32}, "txt": full},
	}
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		run(t, db, integerDDL[e.Name])
		typ := &config.Type{Name: "ints", Database: "test", Table: "ints", Key: "id", Storage: "autopublish"}
		for _, c := range []string{"i2", "i4", "i8", "n", "u4"} {
			typ.Fields = append(typ.Fields, config.Field{Name: c, Column: c, Kind: "integer"})
		}
		// A text column's string field is not bounded.
		typ.Fields = append(typ.Fields, config.Field{Name: "txt", Column: "txt", Kind: "string"})
		a := mustNew(t, db, typ)
		// No record has an id its key column cannot hold.
		if _, ok := a.keyOf("2147483648"); ok != (e.Name == "sqlite") {
			t.Errorf("the id 2147483648 of an INT key: ok %v", ok)
		}
		if _, ok := a.keyOf("2147483647"); !ok {
			t.Error("the id 2147483647 of an INT key is refused")
		}
		for name, r := range want[e.Name] {
			lo, hi := a.Schema().Field(name).IntRange()
			if lo != r[0] || hi != r[1] {
				t.Errorf("%s: %d to %d, want %d to %d", name, lo, hi, r[0], r[1])
			}
		}
	})
}
