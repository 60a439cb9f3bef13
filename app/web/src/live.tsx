import { createContext, useContext, useState, useSyncExternalStore } from "react";
import { Tag, Tooltip } from "antd";
import type { WatchChange } from "./api/types";
import { watch } from "./api/watch";
import { currentCluster } from "./api/clusterScope";
import { fmt, useT } from "./i18n";

// The live layer: one stream (GET /watch) per namespace a page shows, shared by every hook that
// shows that namespace's objects. While a stream is live its hooks reload on its changes instead
// of polling; when it is not, they poll as before.

export type LiveStatus = "live" | "reconnecting" | "polling";

/** How long a stream nobody uses stays open (moving between pages of one namespace keeps it). */
const IDLE_MS = 2000;
/** After the browser gave up on a stream (an answer that was not a stream), when to try again. */
const RETRY_MS = 10000;

export interface LiveSubscriber {
  /** A change of an object in the stream's namespace. */
  change: (e: WatchChange) => void;
  /** Anything may have changed: the stream (re)connected, or the server reset it. */
  refresh: () => void;
  /** Whether the stream is live (when it is not, the subscriber polls). */
  live: (live: boolean) => void;
}

interface Stream {
  status: LiveStatus;
  subs: Set<LiveSubscriber>;
  close?: () => void;
  retry?: ReturnType<typeof setTimeout>;
  idle?: ReturnType<typeof setTimeout>;
}

export interface LiveSnapshot {
  /** Every open stream live: live; one reconnecting: reconnecting; else polling. */
  status: LiveStatus;
  /** When data was last loaded (ms since the epoch). */
  lastUpdate?: number;
}

/** The streams of the namespaces shown, and the status the header shows. */
export class LiveStreams {
  private streams = new Map<string, Stream>();
  private listeners = new Set<() => void>();
  private snapshot: LiveSnapshot = { status: "polling" };

  constructor(
    private readonly idleMs = IDLE_MS,
    private readonly retryMs = RETRY_MS,
  ) {}

  /**
   * Subscribes to a namespace's changes ("_all": every namespace) in the page's cluster; returns the
   * unsubscribe function.
   */
  subscribe(namespace: string, sub: LiveSubscriber, cluster = currentCluster()): () => void {
    // A stream per cluster and namespace: the home cluster's keyed by the namespace alone.
    const key = cluster ? `${cluster}/${namespace}` : namespace;
    let s = this.streams.get(key);
    if (!s) {
      s = { status: "polling", subs: new Set() };
      this.streams.set(key, s);
      this.connect(namespace, cluster, s);
      this.emit();
    }
    const stream = s;
    clearTimeout(stream.idle);
    stream.subs.add(sub);
    sub.live(stream.status === "live");
    return () => {
      stream.subs.delete(sub);
      if (stream.subs.size === 0) stream.idle = setTimeout(() => this.drop(key, stream), this.idleMs);
    };
  }

  /** Records that data was loaded now. */
  updated(at = Date.now()): void {
    this.snapshot = { ...this.snapshot, lastUpdate: at };
    this.listeners.forEach((l) => l());
  }

  /** Namespaces with an open stream, as cluster/namespace for a non-home cluster (tests). */
  namespaces(): string[] {
    return [...this.streams.keys()];
  }

  readonly onStatus = (listener: () => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  readonly getSnapshot = () => this.snapshot;

  private connect(namespace: string, cluster: string, s: Stream) {
    s.close = watch(
      { namespace, cluster },
      {
        ready: () => {
          this.set(s, "live");
          s.subs.forEach((x) => x.refresh());
        },
        change: (e) => s.subs.forEach((x) => x.change(e)),
        reset: () => s.subs.forEach((x) => x.refresh()),
        error: (closed) => {
          if (!closed) {
            this.set(s, "reconnecting"); // EventSource tries again after the server's retry
            return;
          }
          s.close?.();
          this.set(s, "polling");
          s.retry = setTimeout(() => this.connect(namespace, cluster, s), this.retryMs);
        },
      },
    );
  }

  private drop(key: string, s: Stream) {
    s.close?.();
    clearTimeout(s.retry);
    this.streams.delete(key);
    this.emit();
  }

  private set(s: Stream, status: LiveStatus) {
    if (s.status === status) return;
    s.status = status;
    s.subs.forEach((x) => x.live(status === "live"));
    this.emit();
  }

  private emit() {
    const all = [...this.streams.values()].map((s) => s.status);
    const status: LiveStatus = all.length > 0 && all.every((x) => x === "live") ? "live" : all.includes("reconnecting") ? "reconnecting" : "polling";
    if (status !== this.snapshot.status) {
      this.snapshot = { ...this.snapshot, status };
      this.listeners.forEach((l) => l());
    }
  }
}

const LiveContext = createContext<LiveStreams | null>(null);

/** The app's streams (null outside the provider: hooks then poll). */
export const useLiveStreams = () => useContext(LiveContext);

export function LiveProvider({ children }: { children: React.ReactNode }) {
  const [streams] = useState(() => new LiveStreams());
  return <LiveContext.Provider value={streams}>{children}</LiveContext.Provider>;
}

const polling: LiveSnapshot = { status: "polling" };
const noStreams = { onStatus: () => () => undefined, getSnapshot: () => polling };

/** The header's status: live, reconnecting or polling, and the time of the last update. */
export function LiveIndicator() {
  const t = useT();
  const streams = useLiveStreams() ?? noStreams;
  const { status, lastUpdate } = useSyncExternalStore(streams.onStatus, streams.getSnapshot, streams.getSnapshot);
  const color = status === "live" ? "success" : status === "reconnecting" ? "warning" : "default";
  const time = lastUpdate ? new Date(lastUpdate) : undefined;
  return (
    <Tooltip title={t[`live_${status}_help`]}>
      <span data-testid="live-status" data-status={status} style={{ whiteSpace: "nowrap" }}>
        <Tag color={color} role="status" style={{ marginInlineEnd: 6 }}>
          {t[`live_${status}`]}
        </Tag>
        {time && (
          <time dateTime={time.toISOString()} style={{ color: "rgba(255, 255, 255, 0.85)" }} data-testid="last-update">
            {fmt(t.updatedAt, { time: time.toLocaleTimeString(document.documentElement.lang || undefined, { hourCycle: "h23" }) })}
          </time>
        )}
      </span>
    </Tooltip>
  );
}

/** Matches a workload's changes (of a type; of one name). */
export const workloadChange =
  (type?: string, name?: string) =>
  (e: WatchChange): boolean =>
    e.kind === "workload" && (!type || e.type === type) && (!name || e.name === name);

/** Matches a Rollout's changes (of one name). */
export const rolloutChange =
  (name?: string) =>
  (e: WatchChange): boolean =>
    e.kind === "rollout" && (!name || e.name === name);
