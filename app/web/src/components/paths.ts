// Where the dashboard's pages are: the links every page builds.

/** Where a Rollout's page is. */
export const rolloutPath = (ns: string, name: string) => `/rollouts/${encodeURIComponent(name)}?ns=${encodeURIComponent(ns)}`;

/** Where a workload's page is (empty for a type the dashboard does not serve). */
export const workloadPath = (ns: string, type: string, name: string) =>
  type ? `/workloads/${encodeURIComponent(type)}/${encodeURIComponent(name)}?ns=${encodeURIComponent(ns)}` : "";
