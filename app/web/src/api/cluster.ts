import { get } from "./http";

/** GET /cluster/metrics */
export const getClusterMetrics = () => get("/api/v1/cluster/metrics");

/** GET /clusters: the registered clusters (home first, then by name), refused ones with their reason. */
export const listClusters = () => get("/api/v1/clusters");
