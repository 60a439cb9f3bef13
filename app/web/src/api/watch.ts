import type { operations, paths } from "./schema";
import type { WatchChange } from "./types";
import { currentCluster, isHome } from "./clusterScope";

// The live stream, GET /watch (Server-Sent Events). EventSource reconnects by itself after the
// server's `retry:` and sends Last-Event-ID then, so the server replays what was missed (or says
// "reset" when it no longer has it). A connection that dies without closing is not noticed by
// EventSource: the server sends a heartbeat event (its interval is in `ready`), and after three
// intervals without any event the stream is reopened from the last id seen.

export interface WatchHandlers {
  /** The stream is up and any replay is done; id is the last event's id. */
  ready?: (id: number) => void;
  change?: (e: WatchChange) => void;
  /** The events missed are gone: refetch everything shown. */
  reset?: () => void;
  /** The connection failed: the browser reconnects by itself (closed false) or gave up (true). */
  error?: (closed: boolean) => void;
}

/** The stream's path and query parameters, as the document has them. */
const watchPath: keyof paths = "/api/v1/watch";
type WatchQuery = NonNullable<operations["watch"]["parameters"]["query"]>;

type Open = (url: string) => EventSource;
let open: Open = (url) => new EventSource(url);

/** Replaces EventSource (tests). */
export function setEventSource(o: Open): void {
  open = o;
}

/**
 * Opens the stream of one namespace ("_all": every namespace) of a cluster (default: the page's;
 * the home cluster's stream has no cluster parameter); returns the function that closes it.
 */
export function watch(query: Pick<WatchQuery, "type" | "name"> & { namespace: string; cluster?: string }, h: WatchHandlers): () => void {
  const params = new URLSearchParams();
  const { cluster = currentCluster(), ...rest } = query;
  for (const [k, v] of Object.entries(rest)) if (v) params.set(k, v);
  if (!isHome(cluster)) params.set("cluster", cluster);
  const data = (e: Event): unknown => {
    try {
      return JSON.parse((e as MessageEvent).data);
    } catch {
      return undefined;
    }
  };
  let es: EventSource;
  let lastId = "";
  let heartbeatMs = 0;
  // Silence is measured on the monotonic clock: the wall clock may jump (a laptop's sleep, NTP, a
  // test moving the page's clock) without the stream having gone quiet.
  let lastSeen = performance.now();
  const seen = (e: Event) => {
    lastSeen = performance.now();
    const id = (e as MessageEvent).lastEventId;
    if (id) lastId = id;
  };
  const connect = () => {
    const resume = new URLSearchParams(params);
    const lastEventId: keyof WatchQuery = "lastEventId";
    if (lastId) resume.set(lastEventId, lastId);
    es = open(`${watchPath}?${resume}`);
    lastSeen = performance.now();
    es.addEventListener("ready", (e) => {
      seen(e);
      const d = data(e) as { id?: unknown; heartbeatMs?: unknown } | undefined;
      heartbeatMs = Number(d?.heartbeatMs ?? 0);
      h.ready?.(Number(d?.id ?? 0));
    });
    es.addEventListener("change", (e) => {
      seen(e);
      const c = data(e);
      if (c && typeof c === "object") h.change?.(c as WatchChange);
    });
    es.addEventListener("reset", (e) => {
      seen(e);
      h.reset?.();
    });
    es.addEventListener("heartbeat", seen);
    // CLOSED (2): an answer that is not a stream (401, 403, 404…); the browser does not retry it.
    es.addEventListener("error", () => h.error?.(es.readyState === 2));
  };
  connect();
  const watchdog = setInterval(() => {
    if (heartbeatMs > 0 && es.readyState === 1 && performance.now() - lastSeen > 3 * heartbeatMs) {
      es.close();
      h.error?.(false); // reconnecting
      connect();
    }
  }, 1000);
  return () => {
    clearInterval(watchdog);
    es.close();
  };
}
