import { request, seg } from "./http";
import type { Summary } from "./types";

/** GET /summary/:namespace: counts per type and state, rollout counts and the cluster metrics. */
export const getSummary = (namespace: string) => request<Summary>("GET", `/summary/${seg(namespace)}`);
