import { createContext, useContext, useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import type { WorkloadType } from "./api/types";

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
