package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/auth/store/storetest"
	"github.com/redis/go-redis/v9"
)

// TestRedis runs the suite on the server of APOSPROXY_TEST_REDIS_URL
// (always in CI) under a key prefix of its own, removed at cleanup.
func TestRedis(t *testing.T) {
	url := os.Getenv("APOSPROXY_TEST_REDIS_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("APOSPROXY_TEST_REDIS_URL is not set; CI must run the Redis tests")
		}
		t.Skip("APOSPROXY_TEST_REDIS_URL is not set")
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	prefix := "aposproxytest" + hex.EncodeToString(b[:])
	t.Cleanup(func() { dropKeys(t, url, prefix+":*") })
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.NewRedis(context.Background(), url, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// dropKeys deletes the keys matching pattern.
func dropKeys(t *testing.T, url, pattern string) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, pattern, 100).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
}
