package e2e

import (
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestTwoInstancesShareRedis starts two proxies whose store is one Redis
// server: a token made by one works on the other, and a logout on one is
// seen by the other at once. With CI=true a missing Redis fails.
func TestTwoInstancesShareRedis(t *testing.T) {
	redisStore(t)
	one, two := startShop(t, testkit.SQLite), startShop(t, testkit.SQLite)

	token := one.login(t, "editor")
	expect(t, two.do(t, "GET", "/product?aposMode=draft&perPage=1", "", "", testkit.Bearer(token)...), 200, "results.0.aposMode", "draft")
	r := two.do(t, "POST", loginPath+"/login", "", `{"username":"editor","password":"editor-pass","session":true}`)
	expect(t, r, 200)
	jar := "aposproxy.sid=" + cookies(r)["aposproxy.sid"].Value + "; aposproxy.csrf=csrf"
	expect(t, one.do(t, "POST", loginPath+"/whoami", "", "", "Cookie", jar), 200, "username", "editor")

	expect(t, two.do(t, "POST", loginPath+"/logout", "", "", testkit.Bearer(token)...), 200)
	expect(t, one.do(t, "GET", "/product", "", "", testkit.Bearer(token)...), 401, "message", "bearer token invalid")
	expect(t, one.do(t, "POST", loginPath+"/logout", "", "", "Cookie", jar), 200)
	expect(t, two.do(t, "POST", loginPath+"/whoami", "", "", "Cookie", jar), 404, "name", "notfound")

	for range 3 {
		expect(t, one.do(t, "POST", loginPath+"/login", "", `{"username":"guest","password":"wrong"}`), 400, "message", credentials)
	}
	expect(t, two.do(t, "POST", loginPath+"/login", "", `{"username":"guest","password":"guest-pass"}`), 400,
		"message", "Too many attempts. You may try again in a minute.")
}

// redisStore has the proxies started after it keep their store in Redis,
// under a key prefix of their own (see testkit.Redis).
func redisStore(t *testing.T) {
	url, prefix := testkit.Redis(t)
	t.Setenv("APOSPROXY_STORE", "redis")
	t.Setenv("APOSPROXY_REDIS_URL", url)
	t.Setenv("APOSPROXY_STORE_PREFIX", prefix)
}
