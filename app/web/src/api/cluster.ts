import { get } from "./http";

/** GET /cluster/metrics */
export const getClusterMetrics = () => get("/api/v1/cluster/metrics");
