import { createContext, useContext, useMemo } from "react";
import { useLocation, useSearchParams } from "react-router-dom";
import type { WorkloadType } from "./api/types";
import type { Cluster } from "./api/fleetTypes";
import { clusterFromPath, homeCluster } from "./api/clusterScope";

// The app-wide state pages read, in a module of its own: pages import this, never App.tsx, so
// App.tsx (which imports the pages) and the pages form no cycle.

/** GET /workload-types as loaded by App: the served types, then the refused declarations. */
export const WorkloadTypesContext = createContext<WorkloadType[]>([]);
/** The types served (a tab each). */
export function useWorkloadTypes(): WorkloadType[] {
  const all = useContext(WorkloadTypesContext);
  return useMemo(() => all.filter((ty) => ty.source !== "refused"), [all]);
}
/** The declarations refused at the last reload, with their reasons (the last good one of their type, if any, serves). */
export function useRefusedTypes(): WorkloadType[] {
  const all = useContext(WorkloadTypesContext);
  return useMemo(() => all.filter((ty) => ty.source === "refused"), [all]);
}

/** The namespace lives in the URL (?ns=), so links and reloads keep it; "" until one is chosen. */
export function useNamespace(): [string, (ns: string, replace?: boolean) => void] {
  const [params, setParams] = useSearchParams();
  const ns = params.get("ns") ?? "";
  return [ns, (next, replace) => setParams((p) => { p.set("ns", next); return p; }, { replace })];
}

/** The fleet as the app knows it (src/fleet.tsx's FleetProvider). */
export interface Fleet {
  /** The registered clusters (home first), undefined until (or unless) GET /clusters answers. */
  clusters?: Cluster[];
  /** More than one cluster registered: the switcher, the cluster column and the fleet views show. */
  multi: boolean;
  /** Releases waiting for a person (in every cluster when multi), undefined when unknown. */
  waiting?: number;
  /** Per cluster, when its last answer came from its cache (Cluster-Stale-Since). */
  staleSince: Record<string, string>;
  /** Reads the clusters and the inbox count again now. */
  reload: () => void;
}

export const FleetContext = createContext<Fleet>({ multi: false, staleSince: {}, reload: () => undefined });

export const useFleet = () => useContext(FleetContext);

/** The registration of a cluster by name ("" or the home's name: the home's), if listed. */
export function clusterInfo(clusters: Cluster[] | undefined, name: string): Cluster | undefined {
  return (clusters ?? []).find((c) => (name ? c.name === name : c.home));
}

/** The registration of the page's cluster (undefined while unknown or for a single-cluster server). */
export function useCurrentCluster(): Cluster | undefined {
  const { clusters } = useFleet();
  const { pathname } = useLocation();
  const name = clusterFromPath(pathname);
  return clusterInfo(clusters, name === homeCluster() ? "" : name);
}

