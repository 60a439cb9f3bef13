// Favourites: workloads and Rollouts pinned in this browser (localStorage), each with its cluster
// ("" for the home cluster), so the same name in two clusters is two favourites.

export interface Favourite {
  /** "" for the home cluster. */
  cluster: string;
  kind: "workload" | "rollout";
  /** The workload type's plural ("" for a Rollout). */
  type: string;
  namespace: string;
  name: string;
}

export const FAVOURITES_KEY = "kd.favourites";

export const favouriteKey = (f: Favourite) => [f.cluster, f.kind, f.type, f.namespace, f.name].join("\n");

type Listener = () => void;

/** The favourites kept in a Storage, with listeners (a component re-renders on a change, also from another tab). */
export class Favourites {
  private listeners = new Set<Listener>();
  private cache: Favourite[] | undefined;
  constructor(private readonly storage: () => Storage | undefined = () => (typeof localStorage === "undefined" ? undefined : localStorage)) {}

  readonly list = (): Favourite[] => {
    if (this.cache) return this.cache;
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.storage()?.getItem(FAVOURITES_KEY) ?? "[]");
    } catch {
      parsed = [];
    }
    this.cache = Array.isArray(parsed)
      ? parsed.filter((f): f is Favourite => !!f && typeof f === "object" && typeof f.name === "string" && typeof f.namespace === "string" && (f.kind === "workload" || f.kind === "rollout"))
          .map((f) => ({ cluster: String(f.cluster ?? ""), kind: f.kind, type: String(f.type ?? ""), namespace: f.namespace, name: f.name }))
      : [];
    return this.cache;
  };

  has(f: Favourite): boolean {
    const k = favouriteKey(f);
    return this.list().some((x) => favouriteKey(x) === k);
  }

  /** Pins f, or unpins it when pinned. */
  toggle(f: Favourite): void {
    const k = favouriteKey(f);
    const next = this.has(f) ? this.list().filter((x) => favouriteKey(x) !== k) : [...this.list(), f];
    try {
      this.storage()?.setItem(FAVOURITES_KEY, JSON.stringify(next));
    } catch {
      // A full or refused storage: kept for this page only.
    }
    this.cache = next;
    this.listeners.forEach((l) => l());
  }

  /** Forgets what was read (another tab changed it). */
  changed(): void {
    this.cache = undefined;
    this.listeners.forEach((l) => l());
  }

  readonly subscribe = (l: Listener) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };
}

export const favourites = new Favourites();

if (typeof window !== "undefined") window.addEventListener("storage", (e) => e.key === FAVOURITES_KEY && favourites.changed());
