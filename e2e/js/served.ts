// A client generated from the shop's own OpenAPI document
// (GET /api/v1/openapi.json, typed by openapi-typescript into
// generated/served.d.ts) lists products, reads one and patches its draft
// with openapi-fetch, every call typed by the generated paths.
//
//   SHOP_URL=http://127.0.0.1:3000/api/v1 SHOP_API_KEY=... npm run served
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { paths } from "./generated/served";

const baseUrl = process.env.SHOP_URL;
const key = process.env.SHOP_API_KEY;
if (!baseUrl || !key) throw new Error("SHOP_URL and SHOP_API_KEY must be set");

const api = createClient<paths>({ baseUrl, headers: { Authorization: `ApiKey ${key}` } });

async function main() {
  // A list: two drafts in French, with the paging envelope.
  const list = await api.GET("/product", { params: { query: { aposMode: "draft", aposLocale: "fr", perPage: 2 } } });
  assert.equal(list.response.status, 200, `list: ${JSON.stringify(list.error)}`);
  assert.ok(list.data, "list: no data");
  assert.equal(list.data.results.length, 2, "list: perPage");
  assert.equal(list.data.currentPage, 1, "list: currentPage");
  assert.ok(list.data.pages >= 2, "list: pages");
  const first = list.data.results[0];
  assert.equal(first.aposLocale, "fr:draft", "list: locale and mode");

  // A get, by the _id the list gave (the client encodes it).
  const one = await api.GET("/product/{id}", { params: { path: { id: first._id } } });
  assert.equal(one.response.status, 200, `get: ${JSON.stringify(one.error)}`);
  assert.equal(one.data?._id, first._id, "get: _id");
  const price: number | null | undefined = one.data?.price;
  assert.equal(typeof price, "number", "get: price is an integer field");

  // A patch of the draft's price, typed by product.patch.
  const patched = await api.PATCH("/product/{id}", { params: { path: { id: first._id } }, body: { price: (price ?? 0) + 1 } });
  assert.equal(patched.response.status, 200, `patch: ${JSON.stringify(patched.error)}`);
  assert.equal(patched.data?.price, (price ?? 0) + 1, "patch: new price");

  // An error answers the error envelope.
  const missing = await api.GET("/product/{id}", { params: { path: { id: "P-0000:en:published" } } });
  assert.equal(missing.response.status, 404, "missing: status");
  assert.equal(missing.error?.name, "notfound", "missing: error name");
  console.log(`served client: list, get, patch and a 404 of ${first._id} as typed by the served document`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
