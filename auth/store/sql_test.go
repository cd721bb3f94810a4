package store_test

import (
	"context"
	"testing"

	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/auth/store/storetest"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestSQL runs the suite on SQLite, and on PostgreSQL and MySQL when their
// DSNs are set (always in CI), each in a schema or database of its own.
func TestSQL(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		cfg := config.Database{Driver: e.Name, DSN: e.Fresh(t), MaxOpen: 4}
		storetest.Run(t, func(t *testing.T) store.Store {
			db, err := sqldb.Open(context.Background(), cfg)
			db = testkit.Closing(t, db, err)
			s, err := store.NewSQL(context.Background(), db, "aposproxy")
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}
