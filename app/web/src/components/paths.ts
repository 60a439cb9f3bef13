// Where the dashboard's pages are: the links every page builds. A page of a non-home cluster is
// under /c/{cluster} (docs/fleet-design.md §6); links keep the page's cluster unless given one.
import { currentCluster, isHome } from "../api/clusterScope";

/** A page path in a cluster (default: the page's): /c/{cluster} before it, unless home. */
export const clusterPath = (path: string, cluster = currentCluster()) => (isHome(cluster) ? path : `/c/${encodeURIComponent(cluster)}${path}`);

/** Where a Rollout's page is. */
export const rolloutPath = (ns: string, name: string, cluster?: string) =>
  clusterPath(`/rollouts/${encodeURIComponent(name)}?ns=${encodeURIComponent(ns)}`, cluster);

/** Where a workload's page is (empty for a type the dashboard does not serve). */
export const workloadPath = (ns: string, type: string, name: string, cluster?: string) =>
  type ? clusterPath(`/workloads/${encodeURIComponent(type)}/${encodeURIComponent(name)}?ns=${encodeURIComponent(ns)}`, cluster) : "";
