// The API reference page (GET /api/v1/docs) in a real headless Chromium,
// driven over the DevTools protocol (Node's WebSocket, no package): the
// page loads with no console error, its own fetch of openapi.json
// succeeds, it lists the shop's types, a GET of a product from the page
// with an API key answers 200, and Swagger UI's own "Try it out" (API key
// authorized, _id filled in, Execute) answers 200 for a category and a
// product (TRY_OPS: operationId=_id pairs).
//
//   DOCS_URL=http://127.0.0.1:3000/api/v1/docs SHOP_API_KEY=... CHROMIUM=chromium \
//     node --experimental-websocket docs-page.mjs
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const url = process.env.DOCS_URL;
const key = process.env.SHOP_API_KEY;
const types = (process.env.SHOP_TYPES ?? "product,category").split(",");
if (!url || !key) throw new Error("DOCS_URL and SHOP_API_KEY must be set");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const profile = mkdtempSync(join(tmpdir(), "aposproxy-chromium-"));
const chromium = spawn(process.env.CHROMIUM ?? "chromium", ["--headless=new", "--no-sandbox", "--disable-gpu",
  "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"],
  { stdio: "ignore" });

/** devtools connects to the page target of the browser. */
async function devtools() {
  for (let i = 0; i < 300; i++) {
    try {
      const port = readFileSync(join(profile, "DevToolsActivePort"), "utf8").split("\n")[0];
      const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      const page = targets.find((t) => t.type === "page");
      if (page) return page.webSocketDebuggerUrl;
    } catch { /* not up yet */ }
    await sleep(100);
  }
  throw new Error("chromium did not start");
}

const ws = new WebSocket(await devtools());
await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
let next = 0;
const pending = new Map();
const errors = [];
ws.onmessage = (ev) => {
  const m = JSON.parse(ev.data);
  if (m.id && pending.has(m.id)) {
    const { resolve, reject } = pending.get(m.id);
    pending.delete(m.id);
    m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result);
  } else if (m.method === "Runtime.consoleAPICalled" && m.params.type === "error") {
    errors.push("console.error: " + m.params.args.map((a) => a.value ?? a.description).join(" "));
  } else if (m.method === "Runtime.exceptionThrown") {
    errors.push("exception: " + (m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text));
  } else if (m.method === "Log.entryAdded" && m.params.entry.level === "error") {
    errors.push("log: " + m.params.entry.text + " " + (m.params.entry.url ?? ""));
  }
};
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = ++next;
  pending.set(id, { resolve, reject });
  ws.send(JSON.stringify({ id, method, params }));
});
/** evaluate runs an expression in the page and returns its value. */
const evaluate = async (expression) => {
  const r = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.exception?.description}`);
  return r.result.value;
};
/** until waits for an expression to be true. */
const until = async (what, expression, ms = 30000) => {
  if (process.env.DEBUG) console.log("waiting for", what);
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    if (await evaluate(expression)) return;
  }
  throw new Error(`timed out waiting for ${what}`);
};

try {
  await send("Runtime.enable");
  await send("Log.enable");
  await send("Page.enable");
  await send("Page.navigate", { url });
  await until("the operations", "document.querySelectorAll('.opblock-tag-section').length > 0");

  const fetched = await evaluate(`performance.getEntriesByType('resource')
    .filter((e) => e.name.endsWith('/openapi.json')).map((e) => e.responseStatus)`);
  assert.deepEqual(fetched, [200], "the page's fetch of openapi.json");
  const tags = await evaluate("[...document.querySelectorAll('.opblock-tag')].map((e) => e.dataset.tag)");
  for (const t of types) assert.ok(tags.includes(t), `the page lists ${t}: ${tags}`);

  // A GET of a product from the page's context, with the API key.
  const direct = await evaluate(`fetch("product/P-1001:en:published".replace(/^/, new URL("./", location).href), { headers: { Authorization: "ApiKey " + ${JSON.stringify(key)} } }).then((r) => r.status)`);
  assert.equal(direct, 200, "a GET from the page");

  // Swagger UI's own flow: authorize with the API key, expand GET
  // /product/{id}, "Try it out", fill the _id, "Execute", and read the
  // status the page shows.
  const tried = [];
  for (const [op, id] of (process.env.TRY_OPS ?? "category_get=1,product_get=P-1001:en:published").split(",").map((s) => s.split("="))) {
    await evaluate(`window.ui.preauthorizeApiKey("ApiKeyAuth", ${JSON.stringify(key)}); true`);
    const tag = op.slice(0, op.lastIndexOf("_"));
    const block = `document.getElementById("operations-${tag}-${op}")`;
    await evaluate(`${block} || document.querySelector('.opblock-tag[data-tag="${tag}"]').click(); true`);
    await until(`the block of ${op}`, `!!${block}`);
    await evaluate(`window.ui.layoutActions.show(["operations", "${tag}", "${op}"], true); true`);
    await until(`${op} expanded`, `!!${block}.querySelector(".try-out__btn")`);
    await evaluate(`${block}.querySelector(".try-out__btn").click(); true`);
    await until(`${op}'s _id input`, `!!${block}.querySelector('tr[data-param-name="id"] input')`);
    await evaluate(`(() => {
      const input = ${block}.querySelector('tr[data-param-name="id"] input');
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(input, ${JSON.stringify(id)});
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    })()`);
    await sleep(1000); // the input is debounced
    await evaluate(`${block}.querySelector(".execute").click(); true`);
    await until(`${op}'s answer`, `!!${block}.querySelector(".live-responses-table tr.response .response-col_status")`);
    const status = await evaluate(`${block}.querySelector(".live-responses-table tr.response .response-col_status").textContent.trim()`);
    assert.equal(status, "200", `Try it out on ${op}`);
    tried.push(`${op} ${status}`);
  }
  assert.deepEqual(errors, [], "console errors");
  console.log(`docs page: ${tags.length} tags (${types.join(", ")} among them), GET of a product from the page: ${direct}, Try it out: ${tried.join(", ")}`);
} finally {
  ws.close();
  const exited = new Promise((resolve) => chromium.once("exit", resolve));
  chromium.kill();
  await Promise.race([exited, sleep(5000)]);
  // Chromium's helper processes may still be writing the profile as the
  // main one exits: its removal is best effort, not part of the check.
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (err) {
    console.error(`left ${profile}: ${err.code}`);
  }
}
