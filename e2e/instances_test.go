package e2e

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// balancer spreads requests round-robin over instances, as a load
// balancer in front of them would.
type balancer struct {
	instances []*shop
	next      atomic.Uint64
}

func (b *balancer) pick() *shop {
	return b.instances[int(b.next.Add(1)-1)%len(b.instances)]
}

// TestThreeInstances starts three proxies on one PostgreSQL database and
// one Redis store, and checks that behind a round-robin balancer they
// behave as one: tokens, logouts and lockouts are shared, a batch job is
// seen from each, ETags agree, and If-Match writes through different
// instances lose no update. With CI=true a missing engine fails.
func TestThreeInstances(t *testing.T) {
	testkit.Need(t, "APOSPROXY_TEST_POSTGRES_DSN")
	redisStore(t)
	dsn := shopDatabase(t, testkit.Engines[1])
	b := &balancer{}
	for range 3 {
		b.instances = append(b.instances, startShopOn(t, testkit.Engines[1], binary, testkit.Root+"/config.toml", dsn))
	}

	token := b.pick().login(t, "editor")
	for _, s := range b.instances {
		expect(t, s.do(t, "GET", "/product?aposMode=draft&perPage=1", "", "", testkit.Bearer(token)...), 200)
	}
	expect(t, b.pick().do(t, "POST", loginPath+"/logout", "", "", testkit.Bearer(token)...), 200)
	for _, s := range b.instances {
		expect(t, s.do(t, "GET", "/product", "", "", testkit.Bearer(token)...), 401)
	}
	for range 3 {
		expect(t, b.pick().do(t, "POST", loginPath+"/login", "", `{"username":"guest","password":"wrong"}`), 400, "message", credentials)
	}
	expect(t, b.pick().do(t, "POST", loginPath+"/login", "", `{"username":"guest","password":"guest-pass"}`), 400,
		"message", "Too many attempts. You may try again in a minute.")

	id := startJob(t, b.pick(), "/product/publish", `{"_ids":["P-1004:en:draft","P-1006:en:draft"]}`)
	done := waitJob(t, b.pick(), id)
	for _, s := range b.instances {
		expect(t, s.do(t, "GET", "/@apostrophecms/job/"+id, editorKey, ""), 200, "ended", "true", "good", "2")
	}
	t.Logf("job: %s", done)

	etags := map[string]bool{}
	for _, s := range b.instances {
		etags[s.do(t, "GET", "/product/P-1001:en:published", "", "").header.Get("ETag")] = true
	}
	if len(etags) != 1 {
		t.Errorf("the instances answer different ETags: %v", etags)
	}
	concurrentIncrements(t, b)
}

// concurrentIncrements has workers add 1 to a product's price through
// the balancer, each read-modify-write guarded by If-Match (a 412 reads
// again): the final price counts every increment that succeeded.
func concurrentIncrements(t *testing.T, b *balancer) {
	const path = "/product/P-1002:en:draft"
	start := gjson.Get(b.pick().do(t, "GET", path, editorKey, "").body, "price").Int()
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for range 5 {
				for {
					r := b.pick().do(t, "GET", path, editorKey, "")
					price := gjson.Get(r.body, "price").Int()
					w := b.pick().do(t, "PATCH", path, editorKey, fmt.Sprintf(`{"price":%d}`, price+1), "If-Match", r.header.Get("ETag"))
					if w.status == 200 {
						ok.Add(1)
						break
					}
					if w.status != 412 {
						t.Errorf("PATCH: %d %s", w.status, w.body)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	end := gjson.Get(b.pick().do(t, "GET", path, editorKey, "").body, "price").Int()
	if end != start+ok.Load() || ok.Load() != 30 {
		t.Errorf("price %d → %d after %d successful increments (want 30)", start, end, ok.Load())
	}
}
