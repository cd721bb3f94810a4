// Every answer the session receives is validated against Apostrophe's
// official OpenAPI description where it is right, and against the errata
// (errata.ts, ERRATA.md) where it is wrong, by an openapi-fetch
// middleware: the session itself only checks what the answers mean.
import { readFileSync } from "node:fs";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Middleware } from "openapi-fetch";
import { parse } from "yaml";
import { type Answer, type Erratum, errata, TEMPLATE, TYPE } from "./errata";

type Json = Record<string, any>;

const spec: Json = parse(readFileSync(new URL("../testdata/apostrophecms-openapi.yaml", import.meta.url), "utf8"));
const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, "apos");

/** A JSON pointer into the description, as a URI fragment of "apos". */
const pointer = (...segments: string[]) =>
  "apos#/" + segments.map((s) => encodeURIComponent(s.replaceAll("~", "~0").replaceAll("/", "~1"))).join("/");

/** What the description says a route answers with status. */
type Described = { kind: "missing" } | { kind: "empty" } | { kind: "json"; validate: (v: unknown) => boolean; errors: () => string };

function described(method: string, path: string, status: number): Described {
  let response = spec.paths?.[path]?.[method]?.responses?.[String(status)];
  let at = [pointer("paths", path, method, "responses", String(status))];
  if (!response) return { kind: "missing" };
  if (typeof response.$ref === "string") {
    at = ["apos" + response.$ref];
    const [, , name] = response.$ref.slice(2).split("/");
    response = spec.components.responses[name];
  }
  if (!response?.content?.["application/json"]?.schema) return { kind: "empty" };
  const validate = ajv.getSchema(at[0] + "/content/application~1json/schema");
  if (!validate) throw new Error(`no schema at ${at[0]}`);
  return { kind: "json", validate: (v) => validate(v) as boolean, errors: () => ajv.errorsText(validate.errors) };
}

const compiled = new Map<Erratum, ValidateFunction>();
/** misfit says what is wrong with an answer for erratum e ("" if nothing). */
function misfit(e: Erratum, body: unknown, text: string): string {
  const answer: Answer = e.answer;
  if (answer === undefined) return "";
  if (answer === null) return text === "" ? "" : "the body is not empty";
  if (text === "") return "the body is empty";
  let validate = compiled.get(e);
  if (!validate) {
    validate = ajv.compile(answer);
    compiled.set(e, validate);
  }
  return validate(body) ? "" : ajv.errorsText(validate.errors);
}

/** One answer and what was found wrong with it. */
export interface Checked {
  method: string;
  url: string;
  status: number;
  errata: string[];
  problems: string[];
}

/** check validates one answer of the route method path (the description's path). */
export function check(method: string, path: string, status: number, text: string): Omit<Checked, "url"> {
  const problems: string[] = [];
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    problems.push(`the body is not JSON: ${text.slice(0, 80)}`);
  }
  const d = described(method, path, status);
  const accepted = d.kind === "json" ? text !== "" && d.validate(body) : d.kind === "empty" && text === "";
  const why = d.kind === "json" ? d.errors() : d.kind === "missing" ? `no ${status} answer described` : "an empty answer described";
  const matching = errata.filter((e) => e.method === method && e.path.test(path) && e.status(status));
  for (const e of matching) {
    const wrong = misfit(e, body, text);
    if (wrong) problems.push(`${e.id}: not what the erratum says Apostrophe answers (${wrong}): ${text.slice(0, 200)}`);
  }
  const rejects = matching.some((e) => e.rejects);
  if (rejects && accepted) problems.push(`${matching.map((e) => e.id).join(", ")}: stale, the description accepts this answer`);
  if (!rejects && !accepted) problems.push(`the description refuses this answer (${why}): ${text.slice(0, 200)}`);
  return { method, status, errata: [...new Set(matching.map((e) => e.id))], problems };
}

/** Every answer checked so far, in order. */
export const checked: Checked[] = [];

/** validation is the middleware that checks every answer. */
export const validation: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const path = schemaPath.replace(new RegExp(`^/${TYPE}(?=/|$)`), `/${TEMPLATE}`);
    const text = await response.clone().text();
    checked.push({ url: request.url, ...check(request.method.toLowerCase(), path, response.status, text) });
    return undefined;
  },
};
