// Which cluster the API calls of the page are for. The cluster is in the page's URL (/c/prod-eu/…;
// without /c/…: the home cluster), read when a call is made, so the API modules keep their
// function names and signatures; inCluster runs calls for another cluster (a fleet view's rows).
// A call for a non-home cluster goes to /api/v1/clusters/{cluster}/… (docs/fleet-design.md §2).

/** The cluster a page path names ("" for the home cluster). */
export function clusterFromPath(pathname: string): string {
  const m = /^\/c\/([^/]+)/.exec(pathname);
  if (!m) return "";
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** The page path without its /c/{cluster} part ("/" at least). */
export function pathInCluster(pathname: string): string {
  const m = /^\/c\/[^/]+(\/.*)?$/.exec(pathname);
  return m ? m[1] || "/" : pathname;
}

let override: string | undefined;
let readPath: () => string = () => (typeof window === "undefined" ? "/" : window.location.pathname);
let home = "";

/** Replaces where the page path is read (tests). */
export function setPathSource(read: () => string): void {
  readPath = read;
}

/** Records the home cluster's name (from GET /clusters), so a path naming it means home. */
export function setHomeCluster(name: string): void {
  home = name;
}

/** The home cluster's name, "" until GET /clusters answered. */
export const homeCluster = () => home;

/** Whether a cluster name means the home cluster ("" does). */
export const isHome = (cluster: string) => !cluster || cluster === home;

/** The cluster of the calls made now: inCluster's, else the page's ("" for home). */
export function currentCluster(): string {
  const c = override ?? clusterFromPath(readPath());
  return isHome(c) ? "" : c;
}

/**
 * Runs fn with its API calls made for cluster (the prefix is chosen when a call starts, so an
 * async fn has its first call, before any await, in the cluster; chain the others inside fn).
 */
export function inCluster<T>(cluster: string, fn: () => T): T {
  const before = override;
  override = cluster;
  try {
    return fn();
  } finally {
    override = before;
  }
}

/** Paths that are not a cluster's (sign-in, the document, the fleet's own views). */
const GLOBAL = [/^\/auth\//, /^\/openapi\.json/, /^\/clusters(\/?$|\?)/, /^\/fleet\//];

/** Whether an API path is a cluster's (not sign-in, the document or a fleet view). */
export const isClusterPath = (path: string) => !GLOBAL.some((g) => g.test(path));

/** The API path for the current cluster: /clusters/{cluster} before a cluster's path, unless home. */
export function scopedPath(path: string, cluster = currentCluster()): string {
  if (isHome(cluster) || !isClusterPath(path)) return path;
  return `/clusters/${encodeURIComponent(cluster)}${path}`;
}

type StaleListener = (cluster: string, since: string | null) => void;
const staleListeners = new Set<StaleListener>();

/** Calls listener with each answer's Cluster-Stale-Since (null: fresh) and its cluster. */
export function onStale(listener: StaleListener): () => void {
  staleListeners.add(listener);
  return () => void staleListeners.delete(listener);
}

/** Tells the listeners what an answer for cluster said about its staleness. */
export const noteStale = (cluster: string, since: string | null) => staleListeners.forEach((l) => l(cluster, since));
