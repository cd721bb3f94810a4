// The known errata of Apostrophe's official OpenAPI description
// (../testdata/apostrophecms-openapi.yaml), as listed in ERRATA.md: the
// types that correct the generated ones, and what Apostrophe (and
// aposproxy) answers where the description is wrong, as JSON schemas the
// session validates those answers against. Each entry cites its erratum.
import type { components, paths } from "./generated/apostrophe";

type Schemas = components["schemas"];

/** The piece type of the description whose routes a project type has (E1). */
export const TEMPLATE = "@apostrophecms/image-tag";

/** The shop's piece type the session drives. */
export const TYPE = "product";

// ---------------------------------------------------------------- types

/** A document (E2): the fields every document has, and the type's own. */
export type Doc = Schemas["ImageTag"] & {
  _id: string;
  title: string;
  slug: string;
  type: string;
  aposDocId: string;
  aposLocale: string;
  aposMode: "draft" | "published";
  modified?: boolean;
  lastPublishedAt?: string | null;
  [field: string]: unknown;
};

/** A write body of a project type (E2): its title, and its own fields. */
export type DocBody = { title: string; slug?: string; [field: string]: unknown };

/** A PATCH body (E8): fields, dot paths and Apostrophe's operators. */
export type PatchBody = {
  $push?: Record<string, unknown>;
  $pullAll?: Record<string, unknown[]>;
  $pullAllById?: Record<string, string[]>;
  [fieldOrDotPath: string]: unknown;
};

/** A list answer (E3): pages and currentPage beside the results. */
export type ListAnswer = { results: Doc[]; pages: number; currentPage: number };

/** A document's locales (E4): its records, by _id and aposLocale. */
export type LocalesAnswer = { results: { _id: string; aposLocale: string }[] };

/** An error answer (E12): Apostrophe's name, data and message. */
export type ApiError = { name: string; data: Record<string, unknown>; message: string };

/** A batch route's answer (E5). */
export type JobStarted = { jobId: string };

/** A job document (E6). */
export type Job = {
  _id: string;
  status: "running" | "completed" | "failed";
  ended: boolean;
  good: number;
  bad: number;
  processed: number;
  total: number;
  percentage: string | number;
  results: Record<string, unknown>;
  errors: Record<string, { name: string; message: string }>;
};

type Headers = { [name: string]: unknown };
type JSONAnswer<T> = { headers: Headers; content: { "application/json": T } };
type EmptyAnswer = { headers: Headers; content?: never };
type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 500 | 501 | 502 | 503 | 504;
type Errors = { [S in ErrorStatus]: JSONAnswer<ApiError> };

/** op, answering ok on 200 and Apostrophe's errors otherwise (E11, E12). */
type Answers<Op, Ok> = Omit<Op, "responses"> & { responses: { 200: Ok } & Errors };
type OkOf<Op> = Op extends { responses: { 200: infer Ok } } ? Ok : never;
/** op with Apostrophe's errors (E12) and its own answer otherwise. */
type WithErrors<Op> = Op extends { responses: object } ? Answers<Op, OkOf<Op>> : Op;
/** op answering T. */
type Answering<Op, T> = Answers<Op, JSONAnswer<T>>;
/** op taking body. */
type Taking<Op, Body> = Omit<Op, "requestBody"> & { requestBody: { content: { "application/json": Body } } };

type Method = "get" | "put" | "post" | "delete" | "patch";
type FixErrors<Item> = { [M in keyof Item]: M extends Method ? WithErrors<Item[M]> : Item[M] };

/** The description's paths, with Apostrophe's errors (E12). */
type Core = { [K in keyof paths]: FixErrors<paths[K]> };

/** The template's paths under /product (E1). */
type Piece = {
  [K in keyof paths as K extends `/${typeof TEMPLATE}${infer Rest}` ? `/${typeof TYPE}${Rest}` : never]: FixErrors<paths[K]>;
};

type Fix<Item, Changes> = Omit<Item, keyof Changes> & Changes;
type P = Piece;

/** A route of one document answering the document (E2). */
type OneDoc<Path extends keyof P> = Fix<P[Path], { post: Answering<P[Path]["post" & keyof P[Path]], Doc> }>;

/** The paths the session uses, corrected by the errata. */
export type ShopPaths = Core &
  Omit<P, "/product" | "/product/{_id}" | "/product/{_id}/locales" | "/product/{_id}/localize" | "/product/publish" | "/product/localize"> & {
    "/product": Fix<P["/product"], {
      get: Answering<P["/product"]["get"], ListAnswer>; // E3
      post: Taking<Answering<P["/product"]["post"], Doc>, DocBody>; // E2
    }>;
    "/product/{_id}": Fix<P["/product/{_id}"], {
      get: Answering<P["/product/{_id}"]["get"], Doc>; // E2
      put: Taking<Answering<P["/product/{_id}"]["put"], Doc>, DocBody>; // E2
      patch: Taking<Answering<P["/product/{_id}"]["patch"], Doc>, PatchBody>; // E8
      delete: Answers<P["/product/{_id}"]["delete"], EmptyAnswer>; // E9
    }>;
    "/product/{_id}/locales": Fix<P["/product/{_id}/locales"], {
      get: Answering<P["/product/{_id}/locales"]["get"], LocalesAnswer>; // E4
    }>;
    "/product/{_id}/localize": Fix<P["/product/{_id}/localize"], {
      post: Taking<Answering<P["/product/{_id}/localize"]["post"], Doc>, { toLocale: string; update?: boolean }>; // E7
    }>;
    "/product/{_id}/publish": OneDoc<"/product/{_id}/publish">;
    "/product/{_id}/unpublish": OneDoc<"/product/{_id}/unpublish">;
    "/product/{_id}/revert-draft-to-published": OneDoc<"/product/{_id}/revert-draft-to-published">;
    "/product/{_id}/revert-published-to-previous": OneDoc<"/product/{_id}/revert-published-to-previous">;
    "/product/publish": Fix<P["/product/publish"], {
      post: Taking<Answering<P["/product/publish"]["post"], JobStarted>, { _ids: string[] }>; // E5
    }>;
    "/product/localize": Fix<P["/product/localize"], {
      post: Taking<Answering<P["/product/localize"]["post"], JobStarted>, { _ids: string[]; toLocales: string[] }>; // E5
    }>;
    "/@apostrophecms/job/{jobId}": { // E6
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      get: Answers<{ parameters: { path: { jobId: string } }; requestBody?: never }, JSONAnswer<Job>>;
    };
  };

// ------------------------------------------------------- runtime errata

/** A JSON schema (draft 2020-12); null: an empty body; undefined: a
 * body another erratum describes. */
export type Answer = Record<string, unknown> | null | undefined;

/** Where the description is wrong, and what Apostrophe answers there. */
export interface Erratum {
  id: string; // as in ERRATA.md
  method: string; // lower case
  path: RegExp; // the description's path (the template's for a piece type)
  status: (status: number) => boolean;
  answer: Answer; // what Apostrophe answers
  // rejects: the description refuses that answer (a wrong schema, a
  // missing status or path); otherwise it accepts it and only its types
  // mislead.
  rejects: boolean;
}

const T = TEMPLATE.replace(/[/@-]/g, (c) => "\\" + c);
const one = (rest: string) => new RegExp(`^/${T}/\\{_id\\}${rest}$`);
const isError = (s: number) => s >= 400;
const is = (...list: number[]) => (s: number) => list.includes(s);

const doc = {
  type: "object",
  required: ["_id", "title", "slug", "type", "aposDocId", "aposLocale", "aposMode"],
  properties: {
    _id: { type: "string", pattern: "^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:(draft|published)$" },
    aposMode: { enum: ["draft", "published"] },
  },
};

export const errata: Erratum[] = [
  // E2: every document has its identity.
  { id: "E2", method: "get", path: one(""), status: is(200), answer: doc, rejects: false },
  { id: "E2", method: "post", path: new RegExp(`^/${T}$`), status: is(200), answer: doc, rejects: false },
  { id: "E2", method: "put", path: one(""), status: is(200), answer: doc, rejects: false },
  { id: "E2", method: "patch", path: one(""), status: is(200), answer: doc, rejects: false },
  { id: "E2", method: "post", path: one("/(publish|unpublish|localize|revert-draft-to-published|revert-published-to-previous)"), status: is(200), answer: doc, rejects: false },
  // E3: pages and currentPage beside the results.
  {
    id: "E3", method: "get", path: new RegExp(`^/${T}$`), status: is(200), rejects: false,
    answer: { type: "object", required: ["results", "pages", "currentPage"], properties: { results: { type: "array", items: doc }, pages: { type: "integer" }, currentPage: { type: "integer" } } },
  },
  // E4: a document's locales are its documents.
  {
    id: "E4", method: "get", path: one("/locales"), status: is(200), rejects: true,
    answer: {
      type: "object", required: ["results"],
      properties: {
        results: {
          type: "array",
          items: { type: "object", required: ["_id", "aposLocale"], properties: { _id: doc.properties._id, aposLocale: { type: "string", pattern: "^[A-Za-z0-9_-]+:(draft|published)$" } } },
        },
      },
    },
  },
  // E5: batch routes start a job.
  {
    id: "E5", method: "post", path: new RegExp(`^/${T}/(publish|localize|restore)$`), status: is(200), rejects: true,
    answer: { type: "object", required: ["jobId"], properties: { jobId: { type: "string" } } },
  },
  // E6: the job route.
  {
    id: "E6", method: "get", path: /^\/@apostrophecms\/job\/\{jobId\}$/, status: is(200), rejects: true,
    answer: {
      type: "object",
      required: ["_id", "status", "ended", "good", "bad", "processed", "total", "percentage", "results", "errors"],
      properties: { _id: { type: "string" }, status: { enum: ["running", "completed", "failed"] }, ended: { type: "boolean" } },
    },
  },
  // E9: DELETE answers an empty 200.
  { id: "E9", method: "delete", path: one(""), status: is(200), answer: null, rejects: true },
  // E11: 304, 409 and 412 are not described.
  { id: "E11", method: "get", path: /.*/, status: is(304), answer: null, rejects: true },
  { id: "E11", method: "put", path: /.*/, status: is(409, 412), answer: undefined, rejects: true },
  { id: "E11", method: "patch", path: /.*/, status: is(409, 412), answer: undefined, rejects: true },
  { id: "E11", method: "delete", path: /.*/, status: is(409, 412), answer: undefined, rejects: true },
  { id: "E11", method: "post", path: /.*/, status: is(409), answer: undefined, rejects: true },
  // E12: Apostrophe's error envelope.
  ...["get", "post", "put", "patch", "delete"].map((method): Erratum => ({
    id: "E12", method, path: /.*/, status: isError, rejects: false,
    answer: {
      type: "object", required: ["name", "data", "message"],
      properties: { name: { type: "string" }, data: { type: "object" }, message: { type: "string" } },
    },
  })),
];

/** Errata of the types only, or of routes the session does not take. */
export const notValidatedAtRuntime = ["E1", "E7", "E8", "E10", "E13"];
