// The fleet API's shapes (issue 20; docs/fleet-design.md, the API as the server serves it), written
// by hand until the OpenAPI document has them (then schema.ts's types replace these).
import type { RolloutStatus } from "./types";

export type ClusterState = "ready" | "syncing" | "connecting" | "unreachable" | "refused";
export type ClusterOrigin = "kubeconfig" | "secret" | "argocd" | "home";

export interface ClusterVersions {
  /** "" when not found. */
  kubernetes: string;
  openkruise: string;
  rollouts: string;
}

/** GET /clusters: one registered cluster. */
export interface Cluster {
  name: string;
  home: boolean;
  origin: ClusterOrigin;
  /** Where the registration comes from, e.g. `context "prod-eu" of /root/.kube/config`, `Secret kd/prod-eu`. */
  source: string;
  /** The kubeconfig context (kubectl --context) when origin is kubeconfig, else "". */
  context: string;
  state: ClusterState;
  reachable: boolean;
  unreachableSince: string | null;
  lastError: string;
  lastSync: string | null;
  versions: ClusterVersions;
  /** Why the registration cannot be used (state "refused"). */
  refused: string;
}

/** Why a cluster contributed nothing to a fleet view ("" when it contributed). */
export type PartCode = "" | "FORBIDDEN" | "NOT_SIGNED_IN_HERE" | "UNAVAILABLE" | "TIMEOUT" | "CLUSTER_UNREACHABLE" | (string & {});

/** One registered cluster's part in a fleet view. */
export interface ClusterPart {
  name: string;
  home?: boolean;
  reachable: boolean;
  unreachableSince: string | null;
  lastError: string;
  /** Its items come from a cache older than its last contact (not served by every version). */
  stale?: boolean;
  code: PartCode;
  message: string;
}

export interface FleetInboxItem extends RolloutStatus {
  cluster: string;
}

/** GET /fleet/inbox */
export interface FleetInbox {
  items: FleetInboxItem[];
  clusters: ClusterPart[];
}

export interface FleetApproveItem {
  cluster: string;
  namespace: string;
  name: string;
  step: number;
}

/** POST /fleet/approve-many: one result per item, in order. */
export interface FleetApproveResult extends FleetApproveItem {
  changed: boolean;
  code: string;
  message: string;
}

/** GET /fleet/summary: one cluster's card. Counts are null when unknown. */
export interface FleetClusterSummary extends ClusterPart {
  home: boolean;
  versions: ClusterVersions;
  state: ClusterState;
  waiting: number | null;
  attention: number | null;
  rollouts: number | null;
  workloads: number | null;
}

export interface FleetSummary {
  clusters: FleetClusterSummary[];
}

export type AttentionReason = "unready" | "failed" | "paused" | "stuck" | "worse" | "crashloop";

export interface AttentionItem {
  cluster: string;
  kind: "workload" | "rollout";
  /** The workload type's plural; "rollouts" for a Rollout. */
  type: string;
  namespace: string;
  name: string;
  reason: AttentionReason | (string & {});
  message: string;
  since: string | null;
}

/** GET /fleet/attention */
export interface FleetAttention {
  items: AttentionItem[];
  clusters: ClusterPart[];
}
