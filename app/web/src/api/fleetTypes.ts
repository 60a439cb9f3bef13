// The fleet API's shapes (docs/fleet-design.md): generated from the server's OpenAPI document
// (src/api/schema.ts; `make openapi`), as src/api/types.ts gives the other answers. Only the names
// the UI uses are given here.
import type { components } from "./schema";

type S = components["schemas"];

/** GET /clusters: one registered cluster. */
export type Cluster = S["ClusterInfo"];
export type ClusterState = Cluster["state"];
export type ClusterOrigin = Cluster["origin"];
export type ClusterVersions = S["ClusterVersions"];

/** One registered cluster's part in a fleet view: code and message say why it contributed nothing ("" when it did). */
export type ClusterPart = S["ClusterPart"];

/** GET /fleet/inbox */
export type FleetInbox = S["FleetInbox"];
export type FleetInboxItem = S["FleetInboxItem"];

/** POST /fleet/approve-many: an item, and its result (one per item, in order). */
export type FleetApproveItem = S["FleetApproveItem"];
export type FleetApproveResult = S["FleetApproveOutcome"];

/** GET /fleet/summary: one cluster's card. Counts are null when unknown. */
export type FleetClusterSummary = S["FleetClusterSummary"];
export type FleetSummary = S["FleetSummary"];

/** GET /fleet/attention: one thing that needs a person; its type is the workload type's id ("rollouts" for a Rollout), never shown. */
export type AttentionItem = S["AttentionItem"];
export type AttentionReason = AttentionItem["reason"];
export type FleetAttention = S["FleetAttention"];
