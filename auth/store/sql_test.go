package store_test

import (
	"context"
	"testing"

	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/auth/store/storetest"
	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// TestSQL runs the suite on SQLite, and on PostgreSQL and MySQL when their
// DSNs are set (always in CI), each in a schema or database of its own.
func TestSQL(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			cfg := freshDatabase(t, e.name, e.env)
			storetest.Run(t, func(t *testing.T) store.Store {
				db, err := sqldb.Open(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				s, err := store.NewSQL(context.Background(), db, "aposproxy")
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}
