// An editorial session on the shop, as a new user would run it with a
// client generated from Apostrophe's official OpenAPI description
// (openapi-typescript types, openapi-fetch calls): path parameters are
// encoded by the client, and nothing is built by hand. The types are the
// generated ones, corrected only by the documented errata (errata.ts,
// ERRATA.md); every answer is validated by the middleware of validate.ts.
//
//   SHOP_URL=http://127.0.0.1:3000/api/v1 npx tsx session.ts
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { ShopPaths } from "./errata";
import { errata, notValidatedAtRuntime } from "./errata";
import { checked, validation } from "./validate";

const baseUrl = process.env.SHOP_URL;
if (!baseUrl) throw new Error("SHOP_URL is not set (e.g. http://127.0.0.1:3000/api/v1)");

/** ok returns a successful answer's data, or fails naming the step. */
function ok<T>(step: string, res: { data?: T; error?: unknown; response: Response }): T {
  assert.equal(res.response.status, 200, `${step}: ${res.response.status} ${JSON.stringify(res.error)}`);
  return res.data as T;
}

/** refused checks a refusal's status and Apostrophe's error name. */
function refused(step: string, res: { error?: { name: string } | unknown; response: Response }, status: number, name: string) {
  assert.equal(res.response.status, status, `${step}: ${res.response.status}`);
  assert.equal((res.error as { name: string }).name, name, `${step}: ${JSON.stringify(res.error)}`);
}

/** session is the editorial session, step by step. */
async function session() {
  const anonymous = createClient<ShopPaths>({ baseUrl });
  anonymous.use(validation);

  // Log in as an editor, with a bearer token.
  const login = ok("login", await anonymous.POST("/@apostrophecms/login/login", { body: { username: "editor", password: "editor-pass" } }));
  assert.ok(login.token, "login: no token");
  const api = createClient<ShopPaths>({ baseUrl, headers: { Authorization: `Bearer ${login.token}` } });
  api.use(validation);

  // The locales.
  const locales = ok("locales", await api.GET("/@apostrophecms/i18n/locales"));
  assert.deepEqual(Object.keys(locales), ["en", "fr"], "locales");

  // A list of drafts.
  const list = ok("list", await api.GET("/product", { params: { query: { aposMode: "draft", perPage: 5 } } }));
  assert.equal(list.results.length, 5, "list: perPage");
  assert.equal(list.currentPage, 1, "list: currentPage");
  assert.ok(list.pages >= 2, "list: pages");
  assert.ok(list.results.every((d) => d.aposMode === "draft"), "list: drafts");

  // A document by its full _id, which the client encodes; its ETag; a 304.
  const fr = await anonymous.GET("/product/{_id}", { params: { path: { _id: "P-1004:fr:published" } } });
  assert.equal(ok("get by _id", fr)._id, "P-1004:fr:published");
  const etag = fr.response.headers.get("ETag");
  assert.ok(etag, "get by _id: no ETag");
  const again = await anonymous.GET("/product/{_id}", { params: { path: { _id: "P-1004:fr:published" } }, headers: { "If-None-Match": etag } });
  assert.equal(again.response.status, 304, "If-None-Match");
  refused("anonymous draft", await anonymous.GET("/product/{_id}", { params: { path: { _id: "P-1004:en:draft" } } }), 403, "forbidden");

  // Create a draft, then $push into one of its JSON fields.
  const created = ok("create", await api.POST("/product", {
    params: { query: { aposMode: "draft" } },
    body: { title: "Client Stool", price: 4200, color: "black", attributes: { tags: ["stool"] } },
  }));
  assert.equal(created.aposMode, "draft", "create: mode");
  const draftId = created._id;
  const docId = created.aposDocId;
  const pushed = ok("patch $push", await api.PATCH("/product/{_id}", {
    params: { path: { _id: draftId } },
    body: { $push: { "attributes.tags": "oak" } },
  }));
  assert.deepEqual((pushed.attributes as { tags: string[] }).tags, ["stool", "oak"], "patch $push");

  // Read it, and PUT it back as read with If-Match; a stale If-Match is 412.
  const read = await api.GET("/product/{_id}", { params: { path: { _id: draftId } } });
  const doc = ok("read for PUT", read);
  const readTag = read.response.headers.get("ETag") ?? "";
  const put = ok("PUT as read", await api.PUT("/product/{_id}", {
    params: { path: { _id: draftId } },
    body: { ...doc, title: "Client Stool (oak)" },
    headers: { "If-Match": readTag },
  }));
  assert.equal(put.title, "Client Stool (oak)", "PUT as read");
  refused("stale If-Match", await api.PUT("/product/{_id}", {
    params: { path: { _id: draftId } }, body: doc, headers: { "If-Match": readTag },
  }), 412, "conflict");

  // Publish; edit the draft and revert it to the published content.
  const published = ok("publish", await api.POST("/product/{_id}/publish", { params: { path: { _id: draftId } } }));
  assert.equal(published.modified, false, "publish: modified");
  assert.ok(published.lastPublishedAt, "publish: lastPublishedAt");
  const edited = ok("edit", await api.PATCH("/product/{_id}", { params: { path: { _id: draftId } }, body: { title: "Client Stool (edited)" } }));
  assert.equal(edited.modified, true, "edit: modified");
  const reverted = ok("revert", await api.POST("/product/{_id}/revert-draft-to-published", { params: { path: { _id: draftId } } }));
  assert.equal(reverted.title, "Client Stool (oak)", "revert: title");

  // Localize to French; list the document's locales.
  const localized = ok("localize", await api.POST("/product/{_id}/localize", { params: { path: { _id: draftId } }, body: { toLocale: "fr" } }));
  assert.equal(localized._id, `${docId}:fr:draft`, "localize");
  const docLocales = ok("locales of a document", await api.GET("/product/{_id}/locales", { params: { path: { _id: `${docId}:en:published` } } }));
  assert.deepEqual(docLocales.results.map((d) => d._id), [`${docId}:en:published`, `${docId}:en:draft`, `${docId}:fr:draft`], "locales of a document");

  // Unpublish; publish again by the batch route, and follow its job.
  const unpublished = ok("unpublish", await api.POST("/product/{_id}/unpublish", { params: { path: { _id: `${docId}:en:published` } } }));
  assert.equal(unpublished._id, draftId, "unpublish");
  const { jobId } = ok("batch publish", await api.POST("/product/publish", { body: { _ids: [draftId] } }));
  let job = ok("job", await api.GET("/@apostrophecms/job/{jobId}", { params: { path: { jobId } } }));
  for (const deadline = Date.now() + 20_000; !job.ended && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 50));
    job = ok("job", await api.GET("/@apostrophecms/job/{jobId}", { params: { path: { jobId } } }));
  }
  assert.equal(job.status, "completed", `job: ${JSON.stringify(job)}`);
  assert.equal(job.good, 1, "job: good");
  ok("published by the job", await anonymous.GET("/product/{_id}", { params: { path: { _id: `${docId}:en:published` } } }));

  // Delete the draft (its published copy goes with it); log out.
  const deleted = await api.DELETE("/product/{_id}", { params: { path: { _id: draftId } } });
  assert.equal(deleted.response.status, 200, "delete");
  refused("deleted", await api.GET("/product/{_id}", { params: { path: { _id: `${docId}:en:published` } } }), 404, "notfound");
  ok("logout", await api.POST("/@apostrophecms/login/logout"));
  refused("after logout", await api.PATCH("/product/{_id}", { params: { path: { _id: `${docId}:fr:draft` } }, body: { title: "x" } }), 401, "invalid");
}

/** report prints every answer checked, and fails on any that fits
 * neither the description nor its errata. */
function report() {
  for (const c of checked) {
    console.log(`${c.problems.length ? "FAIL" : "ok  "} ${c.method.toUpperCase()} ${new URL(c.url).pathname} ${c.status}` +
      (c.errata.length ? ` (errata ${c.errata.join(", ")})` : " (the description)"));
    for (const p of c.problems) console.log(`     ${p}`);
  }
  const byNumber = (a: string, b: string) => Number(a.slice(1)) - Number(b.slice(1));
  const met = new Set(checked.flatMap((c) => c.errata).sort(byNumber));
  const unmet = [...new Set(errata.map((e) => e.id))].filter((id) => !met.has(id));
  console.log(`${checked.length} answers checked, ${checked.filter((c) => c.errata.length === 0).length} against the description alone;` +
    ` errata met: ${[...met].join(", ")}; errata of the types only or of routes not taken: ${notValidatedAtRuntime.join(", ")}`);
  const problems = checked.filter((c) => c.problems.length > 0).length;
  if (problems > 0 || unmet.length > 0) {
    console.error(`${problems} answers fit neither the description nor its errata; errata never met: ${unmet.join(", ") || "none"}`);
    process.exitCode = 1;
  }
}

try {
  await session();
} finally {
  report();
}
