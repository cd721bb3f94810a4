package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestTwoInstancesShareRedis starts two proxies whose store is one Redis
// server: a token made by one works on the other, and a logout on one is
// seen by the other at once. With CI=true a missing Redis fails.
func TestTwoInstancesShareRedis(t *testing.T) {
	url := os.Getenv("APOSPROXY_TEST_REDIS_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("APOSPROXY_TEST_REDIS_URL is not set; CI must run the Redis tests")
		}
		t.Skip("APOSPROXY_TEST_REDIS_URL is not set")
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	t.Setenv("APOSPROXY_STORE", "redis")
	t.Setenv("APOSPROXY_REDIS_URL", url)
	prefix := "aposproxye2e" + hex.EncodeToString(b[:])
	t.Setenv("APOSPROXY_STORE_PREFIX", prefix)
	t.Cleanup(func() { dropRedisKeys(t, url, prefix+":*") })
	one, two := startShop(t, engines[0]), startShop(t, engines[0])

	token := one.login(t, "editor")
	expect(t, two.do(t, "GET", "/product?aposMode=draft&perPage=1", "", "", bearer(token)...), 200, "results.0.aposMode", "draft")
	r := two.do(t, "POST", loginPath+"/login", "", `{"username":"editor","password":"editor-pass","session":true}`)
	expect(t, r, 200)
	jar := "aposproxy.sid=" + cookies(r)["aposproxy.sid"].Value + "; aposproxy.csrf=csrf"
	expect(t, one.do(t, "POST", loginPath+"/whoami", "", "", "Cookie", jar), 200, "username", "editor")

	expect(t, two.do(t, "POST", loginPath+"/logout", "", "", bearer(token)...), 200)
	expect(t, one.do(t, "GET", "/product", "", "", bearer(token)...), 401, "message", "bearer token invalid")
	expect(t, one.do(t, "POST", loginPath+"/logout", "", "", "Cookie", jar), 200)
	expect(t, two.do(t, "POST", loginPath+"/whoami", "", "", "Cookie", jar), 404, "name", "notfound")

	for range 3 {
		expect(t, one.do(t, "POST", loginPath+"/login", "", `{"username":"guest","password":"wrong"}`), 400, "message", credentials)
	}
	expect(t, two.do(t, "POST", loginPath+"/login", "", `{"username":"guest","password":"guest-pass"}`), 400,
		"message", "Too many attempts. You may try again in a minute.")
}

// dropRedisKeys deletes the keys matching pattern.
func dropRedisKeys(t *testing.T, url, pattern string) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx := context.Background()
	for iter := c.Scan(ctx, 0, pattern, 100).Iterator(); iter.Next(ctx); {
		c.Del(ctx, iter.Val())
	}
}
