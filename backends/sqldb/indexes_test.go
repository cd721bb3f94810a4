package sqldb

import (
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestIndexed tells an indexed column (a primary key's, an index's first)
// from one that is not (an index's second, none) on every engine.
func TestIndexed(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *DB) {
		run(t, db, `CREATE TABLE tree (id INTEGER PRIMARY KEY, parent_id INTEGER, lang VARCHAR(8), sort_order INTEGER, other INTEGER);
CREATE INDEX tree_lang_parent ON tree (lang, parent_id);
CREATE INDEX tree_order ON tree (sort_order, other);`)
		for col, want := range map[string]bool{"id": true, "sort_order": true, "lang": true, "parent_id": false, "other": false} {
			if got, ok := db.Indexed(t.Context(), "tree", col); !ok || got != want {
				t.Errorf("%s: Indexed(%s) = %v, %v; want %v", e, col, got, ok, want)
			}
		}
	})
}
