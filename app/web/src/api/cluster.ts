import { request } from "./http";
import type { ClusterMetrics } from "./types";

/** GET /cluster/metrics */
export const getClusterMetrics = () => request<ClusterMetrics>("GET", "/cluster/metrics");
