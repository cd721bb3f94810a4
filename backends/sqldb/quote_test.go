package sqldb

import (
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestQuote checks that an identifier stays one identifier on every
// engine: the engine's quote character inside it is doubled, the other
// engines' are left alone, and a dotted name is quoted part by part.
func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		engine          string
		ident, want     string
		dotted, wantDot string
	}{
		{"sqlite", `we"ird`, `"we""ird"`, `s.t"x`, `"s"."t""x"`},
		{"sqlite", "back`tick", "\"back`tick\"", "plain", `"plain"`},
		{"postgres", `a""b`, `"a""""b"`, `public.we"ird`, `"public"."we""ird"`},
		{"postgres", "it's", `"it's"`, "t", `"t"`},
		{"mysql", "we`ird", "`we``ird`", "db.t`x", "`db`.`t``x`"},
		{"mysql", `dq"`, "`dq\"`", "shop.products", "`shop`.`products`"},
	} {
		d, err := dialectFor(tc.engine)
		if err != nil {
			t.Fatal(err)
		}
		db := &DB{dialect: d}
		if got := db.Quote(tc.ident); got != tc.want {
			t.Errorf("%s: Quote(%q) = %s, want %s", tc.engine, tc.ident, got, tc.want)
		}
		if got := db.QuoteName(tc.dotted); got != tc.wantDot {
			t.Errorf("%s: QuoteName(%q) = %s, want %s", tc.engine, tc.dotted, got, tc.wantDot)
		}
	}
}

// TestQuoteLive creates and reads a table whose name holds the engine's
// quote character, on every engine.
func TestQuoteLive(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *DB) {
		name := map[string]string{"sqlite": `odd"name`, "postgres": `odd"name`, "mysql": "odd`name"}[e.Name]
		table, col := db.Quote(name), db.Quote("c"+name)
		if _, err := db.ExecContext(t.Context(), "CREATE TABLE "+table+" ("+col+" INTEGER)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(t.Context(), db.Rebind("INSERT INTO "+table+" ("+col+") VALUES (?)"), 7); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(t.Context(), "SELECT "+col+" FROM "+table).Scan(&n); err != nil || n != 7 {
			t.Fatalf("read %d %v, want 7", n, err)
		}
	})
}
