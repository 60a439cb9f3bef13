// The one place that talks HTTP: unwraps {"data": ...} and turns the error body
// {"trace_id","message","code"} into an ApiError that keeps all three. The API modules call
// through get/post/del, typed from the OpenAPI document's paths (schema.ts): a path the document
// lacks, a missing path variable, a query parameter or body of the wrong shape, or an answer
// used as the wrong type is a compile error.
import type { paths } from "./schema";
import { currentCluster, isClusterPath, noteStale, scopedPath } from "./clusterScope";

export const API_BASE = "/api/v1";

export class ApiError extends Error {
  readonly code: string;
  readonly traceId: string;
  readonly status: number;

  constructor(status: number, code: string, message: string, traceId: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.traceId = traceId;
  }
}

type Fetch = typeof fetch;
let fetcher: Fetch = (...args) => fetch(...args);

/** Replaces fetch (tests). */
export function setFetch(f: Fetch): void {
  fetcher = f;
}

/** True for the error every API call answers when the caller is not signed in. */
export const isUnauthorized = (e: unknown) => e instanceof ApiError && e.status === 401;

type Listener = (e: ApiError) => void;
const unauthorizedListeners = new Set<Listener>();

/**
 * Calls listener whenever a request answers 401 (the session is missing or expired), except the
 * /auth/ endpoints, whose callers handle their own errors. Returns the unsubscribe function.
 */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** How many GET answers are kept in memory for revalidation, and their characters in all. */
export const REMEMBERED_ANSWERS = 256;
export const REMEMBERED_CHARS = 8 << 20;

interface Kept {
  etag: string;
  text: string;
}

/**
 * The last body of each GET that came with an ETag, by URL, least recently used out first. In a
 * sign-in mode the browser stores no API answer (Cache-Control: no-store), so nothing is left on
 * disk; this memory is what lets a refresh revalidate (If-None-Match) and take a 304 instead of
 * the body again. It is dropped with the page, on sign-in and sign-out, and on any 401.
 */
class Answers {
  private kept = new Map<string, Kept>();
  private chars = 0;
  /** Bumped by clear: an answer to a request sent before it is not kept. */
  generation = 0;

  get(url: string): Kept | undefined {
    const k = this.kept.get(url);
    if (k) {
      this.kept.delete(url);
      this.kept.set(url, k);
    }
    return k;
  }

  set(url: string, k: Kept | undefined) {
    const old = this.kept.get(url);
    if (old) {
      this.kept.delete(url);
      this.chars -= old.text.length;
    }
    if (!k || k.text.length > REMEMBERED_CHARS) return;
    this.kept.set(url, k);
    this.chars += k.text.length;
    for (const [oldest, o] of this.kept) {
      if (this.kept.size <= REMEMBERED_ANSWERS && this.chars <= REMEMBERED_CHARS) break;
      this.kept.delete(oldest);
      this.chars -= o.text.length;
    }
  }

  clear() {
    this.kept.clear();
    this.chars = 0;
    this.generation++;
  }
}

const answers = new Answers();

/** Forgets every answer kept for revalidation (tests; request does on sign-in, sign-out and a 401). */
export const forgetAnswers = () => answers.clear();

/**
 * Sends a request; a body is sent as JSON. Not exported: the API modules call get/post/del, whose
 * answer types come from the document, so none can claim a type of its own. Cookies go along (same-origin, fetch's default). A GET
 * answered before with an ETag is revalidated: a 304 gives the body kept in memory.
 */
async function request<T>(
  method: "GET" | "POST" | "DELETE",
  path: string,
  query?: Record<string, string | number | boolean | undefined>,
  json?: unknown,
): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined) params.set(k, String(v));
  }
  const qs = params.toString();
  // The page's cluster (docs/fleet-design.md §2): /clusters/{cluster} before a cluster's path.
  const cluster = currentCluster();
  const scoped = scopedPath(path, cluster);
  const url = API_BASE + scoped + (qs ? "?" + qs : "");
  const headers: Record<string, string> = { Accept: "application/json" };
  const init: RequestInit = { method, credentials: "same-origin", headers };
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  // Whoever signs in or out next, nothing kept for the one before is shown to them.
  if (path === "/auth/login" || path === "/auth/logout") answers.clear();
  const kept = method === "GET" ? answers.get(url) : undefined;
  if (kept) headers["If-None-Match"] = kept.etag;
  const generation = answers.generation;
  let res: Response;
  try {
    res = await fetcher(url, init);
  } catch (e) {
    throw new ApiError(0, "NETWORK_ERROR", e instanceof Error ? e.message : String(e), "");
  }
  if (res.status === 401) answers.clear();
  if (isClusterPath(path)) noteStale(cluster, res.headers?.get("Cluster-Stale-Since") ?? null);
  const notModified = res.status === 304 && kept !== undefined;
  const text = notModified ? kept.text : await res.text();
  if (method === "GET" && res.ok && generation === answers.generation) {
    const etag = res.headers.get("ETag");
    answers.set(url, etag ? { etag, text } : undefined);
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok && !notModified) {
    const b = (body ?? {}) as { code?: string; message?: string; trace_id?: string };
    const err = new ApiError(res.status, b.code ?? "HTTP_" + res.status, b.message ?? (text || res.statusText), b.trace_id ?? "");
    if (res.status === 401 && !path.startsWith("/auth/")) unauthorizedListeners.forEach((l) => l(err));
    throw err;
  }
  if (!body || typeof body !== "object" || !("data" in body)) {
    throw new ApiError(res.status, "BAD_RESPONSE", "response without a data envelope", "");
  }
  return (body as { data: T }).data;
}

/** Encodes a path segment. */
export const seg = (s: string) => encodeURIComponent(s);

type Method = "get" | "post" | "delete";

/** The document's paths that answer method M. */
export type PathOf<M extends Method> = { [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never }[keyof paths];

/** The operation of path P and method M. */
export type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The data of an operation's 200 answer (what request resolves to). */
export type Answer<O> = O extends { responses: { 200: { content: { "application/json": { data: infer D } } } } } ? D : never;

type PathVars<O> = O extends { parameters: { path: infer V } } ? V : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Exclude<Q, undefined> : never;
type BodyOf<O> = O extends { requestBody?: infer R }
  ? [NonNullable<R>] extends [never]
    ? never
    : NonNullable<R> extends { content: { "application/json": infer B } }
      ? B
      : never
  : never;

/** What a call of the operation sends: its path variables, query and JSON body, as documented. */
export type Args<O> = ([PathVars<O>] extends [never] ? { path?: undefined } : { path: PathVars<O> }) &
  ([QueryOf<O>] extends [never] ? { query?: undefined } : { query?: QueryOf<O> }) &
  ([BodyOf<O>] extends [never] ? { body?: undefined } : O extends { requestBody: object } ? { body: BodyOf<O> } : { body?: BodyOf<O> });

type Rest<O> = object extends Args<O> ? [args?: Args<O>] : [args: Args<O>];

/** Calls the operation at path P (a template of the document, e.g. "/api/v1/rollout/{namespace}/{name}"). */
export function call<M extends Method, P extends PathOf<M>>(method: M, path: P, ...[args]: Rest<Operation<P, M>>): Promise<Answer<Operation<P, M>>> {
  const a = (args ?? {}) as { path?: Record<string, string>; query?: Record<string, string | number | boolean | undefined>; body?: unknown };
  const url = (path as string).replace(/\{(\w+)\}/g, (_, k: string) => seg(String(a.path?.[k] ?? "")));
  const m = method.toUpperCase() as "GET" | "POST" | "DELETE";
  return request<Answer<Operation<P, M>>>(m, url.slice(API_BASE.length), a.query, a.body);
}

/** GET an operation of the document. */
export const get = <P extends PathOf<"get">>(path: P, ...args: Rest<Operation<P, "get">>) => call("get", path, ...args);

/** POST an operation of the document. */
export const post = <P extends PathOf<"post">>(path: P, ...args: Rest<Operation<P, "post">>) => call("post", path, ...args);

/** DELETE an operation of the document. */
export const del = <P extends PathOf<"delete">>(path: P, ...args: Rest<Operation<P, "delete">>) => call("delete", path, ...args);
