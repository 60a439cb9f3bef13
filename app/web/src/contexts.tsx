import { createContext, useContext } from "react";
import { useSearchParams } from "react-router-dom";
import type { WorkloadType } from "./api/types";

// The app-wide state pages read, in a module of its own: pages import this, never App.tsx, so
// App.tsx (which imports the pages) and the pages form no cycle.

/** The registry's workload types, loaded once from the backend (provided by App). */
export const WorkloadTypesContext = createContext<WorkloadType[]>([]);
export const useWorkloadTypes = () => useContext(WorkloadTypesContext);

/** The namespace lives in the URL (?ns=), so links and reloads keep it; "" until one is chosen. */
export function useNamespace(): [string, (ns: string, replace?: boolean) => void] {
  const [params, setParams] = useSearchParams();
  const ns = params.get("ns") ?? "";
  return [ns, (next, replace) => setParams((p) => { p.set("ns", next); return p; }, { replace })];
}
