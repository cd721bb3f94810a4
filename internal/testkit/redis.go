package testkit

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Redis returns the URL of the test Redis server (APOSPROXY_TEST_REDIS_URL,
// see Need) and a key prefix of the test's own, whose keys are deleted
// when the test ends.
func Redis(tb testing.TB) (url, prefix string) {
	tb.Helper()
	url = Need(tb, "APOSPROXY_TEST_REDIS_URL")
	opt, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	prefix = "aposproxytest" + strings.ToLower(rand.Text()[:8])
	tb.Cleanup(func() {
		c := redis.NewClient(opt)
		defer c.Close()
		ctx := context.Background()
		for iter := c.Scan(ctx, 0, prefix+":*", 100).Iterator(); iter.Next(ctx); {
			c.Del(ctx, iter.Val())
		}
	})
	return url, prefix
}
