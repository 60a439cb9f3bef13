// The one place that talks HTTP: unwraps {"data": ...} and turns the error body
// {"trace_id","message","code"} into an ApiError that keeps all three. The API modules call
// through get/post/del, typed from the OpenAPI document's paths (schema.ts): a path the document
// lacks, a missing path variable, a query parameter or body of the wrong shape, or an answer
// used as the wrong type is a compile error.
import type { paths } from "./schema";

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

/** Sends a request; a body is sent as JSON. Cookies go along (same-origin, fetch's default). */
export async function request<T>(
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
  const init: RequestInit = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (json !== undefined) {
    init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    init.body = JSON.stringify(json);
  }
  let res: Response;
  try {
    res = await fetcher(API_BASE + path + (qs ? "?" + qs : ""), init);
  } catch (e) {
    throw new ApiError(0, "NETWORK_ERROR", e instanceof Error ? e.message : String(e), "");
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
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
