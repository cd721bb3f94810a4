package sqlbackend

import (
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

func TestVerify(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		seedCatalog(t, db, e.Name, adaptertest.Rows())
		a := mustNew(t, db, catalogType())
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
