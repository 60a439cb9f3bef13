import { API_BASE } from "./http";
import type { WatchChange } from "./types";

// The live stream, GET /watch (Server-Sent Events). EventSource reconnects by itself after the
// server's `retry:` and sends Last-Event-ID then, so the server replays what was missed (or says
// "reset" when it no longer has it).

export interface WatchHandlers {
  /** The stream is up and any replay is done; id is the last event's id. */
  ready?: (id: number) => void;
  change?: (e: WatchChange) => void;
  /** The events missed are gone: refetch everything shown. */
  reset?: () => void;
  /** The connection failed: the browser reconnects by itself (closed false) or gave up (true). */
  error?: (closed: boolean) => void;
}

type Open = (url: string) => EventSource;
let open: Open = (url) => new EventSource(url);

/** Replaces EventSource (tests). */
export function setEventSource(o: Open): void {
  open = o;
}

/** Opens the stream of one namespace ("_all": every namespace); returns the function that closes it. */
export function watch(query: { namespace: string; type?: string; name?: string }, h: WatchHandlers): () => void {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const es = open(`${API_BASE}/watch?${params}`);
  const data = (e: Event): unknown => {
    try {
      return JSON.parse((e as MessageEvent).data);
    } catch {
      return undefined;
    }
  };
  es.addEventListener("ready", (e) => h.ready?.(Number((data(e) as { id?: unknown } | undefined)?.id ?? 0)));
  es.addEventListener("change", (e) => {
    const c = data(e);
    if (c && typeof c === "object") h.change?.(c as WatchChange);
  });
  es.addEventListener("reset", () => h.reset?.());
  // CLOSED (2): an answer that is not a stream (401, 403, 404…); the browser does not retry it.
  es.addEventListener("error", () => h.error?.(es.readyState === 2));
  return () => es.close();
}
