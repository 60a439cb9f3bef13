import { get } from "./http";

/** GET /summary/:namespace: counts per type and state, rollout counts and the cluster metrics. */
export const getSummary = (namespace: string) => get("/api/v1/summary/{namespace}", { path: { namespace } });
