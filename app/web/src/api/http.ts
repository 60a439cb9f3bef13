// The one place that talks HTTP: unwraps {"data": ...} and turns the error body
// {"trace_id","message","code"} into an ApiError that keeps all three.

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
  query?: Record<string, string | number | undefined>,
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
