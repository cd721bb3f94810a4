package sqlbackend

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestSlugsSweepDeadSlugs checks, on PostgreSQL, the first batch of a
// sweep whose slugs were deleted (or given by a sweep that rolled back):
// the statistics know no slug of the type while the slug table's indexes
// still hold them dead. The first batch must read them at most about
// once, not once per record (it searched the unique (type, locale, mode,
// slug) index for each of its 1,000 records: 30 s at 10^5 rows, see
// bench/growth_reading.md); then the sweep gives every record its slug.
func TestSlugsSweepDeadSlugs(t *testing.T) {
	db, types := openShop(t, testkit.Engines[1])
	const n = 4 * sweepBatch // products, each live and draft
	testkit.Exec(t, db,
		`INSERT INTO products (product_id, lang, status, name, price_cents, in_stock, created_at, updated_at)
SELECT 'D-' || (i / 2), 'en', CASE i % 2 WHEN 0 THEN 'live' ELSE 'draft' END, 'Dead item ' || (i / 2), 100, TRUE,
  TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 00:00:00' FROM generate_series(0, `+strconv.Itoa(2*n-1)+`) AS g(i)`,
		`INSERT INTO aposproxy_slugs (aposproxy_type, aposproxy_doc, aposproxy_locale, aposproxy_mode, aposproxy_slug)
SELECT 'product', 'D-' || (i / 2), 'en', CASE i % 2 WHEN 0 THEN 'published' ELSE 'draft' END, 'dead-item-' || (i / 2)
FROM generate_series(0, `+strconv.Itoa(2*n-1)+`) AS g(i)`,
		`DELETE FROM aposproxy_slugs WHERE aposproxy_type = 'product'`,
		`ANALYZE`)
	p := types["product"]
	text, args, batched, ok := p.missingQuery(enPub, nil, sweepBatch)
	if !batched || !ok {
		t.Fatalf("the products' sweep is not batched (batched %v, ok %v)", batched, ok)
	}
	var out string
	noErr(t, db.QueryRowContext(t.Context(), "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+db.Rebind(string(text)), args...).Scan(&out))
	var plan []struct {
		Plan struct {
			Hit  int64 `json:"Shared Hit Blocks"`
			Read int64 `json:"Shared Read Blocks"`
		}
	}
	noErr(t, json.Unmarshal([]byte(out), &plan))
	var pages int64
	noErr(t, db.QueryRowContext(t.Context(), `SELECT CAST(SUM(pg_relation_size(c.oid)) / 8192 AS BIGINT) FROM pg_class AS c
WHERE c.relname IN ('products', 'products_pkey', 'aposproxy_slugs') OR c.oid IN
  (SELECT indexrelid FROM pg_index WHERE indrelid = 'aposproxy_slugs'::regclass)`).Scan(&pages))
	if got := plan[0].Plan.Hit + plan[0].Plan.Read; got > 10*pages {
		t.Errorf("the first batch read %d pages, the tables and indexes it reads have %d: it reads them more than once\n%s", got, pages, out)
	}
	_, err := p.Get(t.Context(), enPub, "D-1")
	noErr(t, err)
	var given int
	noErr(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM aposproxy_slugs WHERE aposproxy_type = 'product' AND aposproxy_doc LIKE 'D-%'`).Scan(&given))
	if given != 2*n {
		t.Errorf("%d slugs given to the generated products, want %d", given, 2*n)
	}
}
