package store_test

import (
	"context"
	"testing"

	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/auth/store/storetest"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestRedis runs the suite on the server of APOSPROXY_TEST_REDIS_URL
// (always in CI) under a key prefix of its own, removed at cleanup.
func TestRedis(t *testing.T) {
	url, prefix := testkit.Redis(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.NewRedis(context.Background(), url, prefix)
		return testkit.Closing(t, s, err)
	})
}
