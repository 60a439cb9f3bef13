// Shapes of the backend's answers (see the README's API section).

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
}

/** A workload object as served: apiVersion, kind, metadata, spec, status. */
export interface Workload {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Record<string, any>;
  status?: Record<string, any>;
}

export interface Pod {
  metadata: ObjectMeta;
  spec: { nodeName?: string; containers: { name: string; image: string }[] };
  status: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; restartCount: number }[];
  };
}

export interface WorkloadWithPods {
  workload: Workload;
  pods: Pod[];
}

export interface Capabilities {
  scalable: boolean;
  restartable: boolean;
  /** The type's pod template images can be set (POST .../image); absent from older servers. */
  imageSettable?: boolean;
}

/** Where a type comes from: a Go adapter, or a YAML declaration (configs/types, KD types folder). */
export type WorkloadSource = "builtin" | "declared";

/** Namespaced, or Cluster: a cluster-scoped type's objects are under the namespace segment _cluster. */
export type WorkloadScope = "Namespaced" | "Cluster";

/** A column a declared type lists: its value is item.columns[name] of a compact page item. */
export interface DeclaredColumn {
  name: string;
  title: string;
  /** How to show the value: string (default), number, time (an RFC 3339 timestamp, shown as an age). */
  type?: "string" | "number" | "time";
}

/** One typed parameter of a declared action. */
export interface ActionParam {
  name: string;
  title: string;
  type: "string" | "integer" | "boolean";
  required?: boolean;
  /** Bounds of an integer parameter. */
  min?: number;
  max?: number;
}

/** A declared type's named action (POST .../action/:name): a patch computed on the server by the declaration. */
export interface DeclaredAction {
  name: string;
  title: string;
  /** The subresource patched (status, scale), or absent: the object itself. */
  subresource?: string;
  patchType: "merge" | "json";
  params?: ActionParam[];
}

export interface WorkloadType {
  type: string;
  plural: string;
  apiVersion: string;
  kind: string;
  capabilities: Capabilities;
  /** Absent from older servers: built in. */
  source?: WorkloadSource;
  /** Absent from older servers: Namespaced. */
  scope?: WorkloadScope;
  /** The resource name when it differs from the plural (apps/v1 statefulsets beside Kruise's). */
  resource?: string;
  /** The declaration's file (declared types). */
  file?: string;
  /** A declared type's list columns (built-in types' are known to the UI: workloadSummary.ts). */
  columns?: DeclaredColumn[];
  /** A declared type's named actions. */
  actions?: DeclaredAction[];
}

export interface ClusterMetrics {
  nodes: number;
  ready_nodes: number;
  cpu_usage: string | null;
  memory_usage: string | null;
  usage_source: string;
  nodes_with_metrics: number;
  cpu_requested: string;
  memory_requested: string;
  pod_count: number;
  running_pods: number;
  pod_capacity: number;
}

export interface RolloutStep {
  index: number;
  replicas: number | string | null;
  traffic: string | null;
  pauseSeconds: number | null;
  manual: boolean;
  matches: number;
}

export interface RolloutStatus {
  namespace: string;
  name: string;
  apiVersion: string;
  phase: string;
  message: string;
  active: boolean;
  progressingReason: string;
  paused: boolean;
  disabled: boolean;
  strategy: string;
  steps: RolloutStep[];
  currentStepIndex: number;
  currentStepState: string;
  nextStepIndex: number;
  waitingForApproval: boolean;
  autoResumeAt: string | null;
  stableRevision: string;
  canaryRevision: string;
  updatedReplicas: number;
  updatedReadyReplicas: number;
  lastUpdateTime: string | null;
  workload: { type: string; apiVersion: string; kind: string; name: string };
  generation: number;
  observedGeneration: number;
  conditions: { type: string; status: string; reason: string; message: string }[];
}

export interface ActionResult {
  action: string;
  changed: boolean;
  message: string;
  warning?: string;
  status: RolloutStatus;
}

export interface Revision {
  revision: number;
  name: string;
  hash: string;
  changeCause?: string;
  images: string[];
  created: string;
  current: boolean;
  stable: boolean;
  canary: boolean;
}

export interface History {
  workload: RolloutStatus["workload"];
  revisions: Revision[];
}

export interface UndoResult {
  workload: RolloutStatus["workload"];
  fromRevision: number;
  toRevision: number;
  toName: string;
  changed: boolean;
  message: string;
  /** True when nothing was changed (?dryRun=true). */
  dryRun?: boolean;
  /** The target revision's images, by container name. */
  images?: Record<string, string>;
  /** What the undo changes in the pod template. */
  diff?: TemplateChange[];
  /** The undo starts a new release under the Rollout (it goes through steps). */
  startsRelease?: boolean;
  explanation?: string;
  steps?: ReleaseStep[];
}

/** POST /rollout/restart/:namespace/:name[?dryRun=true] */
export interface RestartResult {
  message: string;
  dryRun?: boolean;
  changed?: boolean;
  startsRelease?: boolean;
  explanation?: string;
  steps?: ReleaseStep[];
}

/** One changed field of a pod template (dotted path). */
export interface TemplateChange {
  path: string;
  from: string;
  to: string;
}

/** One step of the release an action would start, as the previews describe it. */
export interface ReleaseStep {
  index: number;
  /** "1", "20%"… */
  replicas: string;
  traffic?: string;
  /** "manual" (waits for a person), "<N>s" (waits N seconds) or "" (goes on). */
  pause: string;
  waitsForPerson: boolean;
}

/** POST /workload/:namespace/:type/:name/image */
export interface SetImageResult {
  dryRun: boolean;
  changed: boolean;
  message: string;
  containers: { name: string; from: string; to: string }[];
  diff: TemplateChange[];
  /** The Rollout governing the workload, or null. */
  rollout: { name: string; steps: ReleaseStep[]; startsRelease: boolean; explanation?: string } | null;
}

/** GET /workload/:namespace/:type/:name/rollout: the Rollout governing the workload, or null. */
export interface WorkloadRollout {
  name: string;
  status: RolloutStatus;
}

/** One item of POST /rollout/approve-many: approve this Rollout's step. */
export interface ApproveItem {
  namespace: string;
  name: string;
  step: number;
}

/** The answer for one item: changed false when the step was already approved (or not approved). */
export interface ApproveItemResult extends ApproveItem {
  changed: boolean;
  /** "OK" or an error code (FORBIDDEN, CONFLICT, NOT_FOUND…). */
  code: string;
  message: string;
}

export type AuthMode = "none" | "token" | "oidc";

/** GET /auth/config */
export interface AuthConfig {
  mode: AuthMode;
  readOnly: boolean;
}

/** POST /auth/login */
export interface LoginResult {
  user: string;
  groups: string[];
  mode: AuthMode;
}

/** Whether the signed-in user may do one thing; reason says why not. */
export interface Permission {
  allowed: boolean;
  reason?: string;
}

export type WorkloadVerb = "scale" | "restart" | "delete" | "setImage" | "undo";
/** The permission key of a declared action in GET /me. */
export type ActionVerb = `action:${string}`;
export type RolloutVerb = "approve" | "pause" | "resume" | "promote" | "enable" | "disable";

/** GET /me?namespace=: the user ("" in mode none) and their permissions in the namespace. */
export interface Me {
  user: string;
  groups: string[];
  mode: AuthMode;
  readOnly: boolean;
  namespace: string;
  /** One key per workload type (as in GET /workload-types). */
  workloads: Record<string, Partial<Record<WorkloadVerb | ActionVerb, Permission>>>;
  rollouts: Partial<Record<RolloutVerb, Permission>>;
}

/** A Kubernetes event about an object (newest first in the lists). */
export interface KubeEvent {
  type: "Normal" | "Warning" | string;
  reason: string;
  message: string;
  count: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  source: string;
}

/** GET /workload/:namespace/:type/:name/pods/:pod/log: the tail of one container's log. */
export interface PodLog {
  pod: string;
  /** The container read (the first one when none was asked for). */
  container: string;
  /** Every container of the pod, in order. */
  containers: string[];
  /** Oldest first, each with its RFC3339 timestamp prefix. */
  lines: string[];
}

/** GET /summary/:namespace: one type's count, and its count per state (only states with a count > 0). */
export interface TypeSummary {
  type: string;
  plural: string;
  kind: string;
  total: number;
  states: Record<string, number>;
}

/** GET /summary/:namespace: what the overview shows, counted on the server. */
/** A release in flight as the overview lists it (GET /summary: at most 50; the counts stay exact). */
export interface RolloutBrief {
  namespace: string;
  name: string;
  phase: string;
  active: boolean;
  paused: boolean;
  disabled: boolean;
  currentStepIndex: number;
  currentStepState: string;
  stepCount: number;
  waitingForApproval: boolean;
  workload: RolloutStatus["workload"];
}

/** What the rollout tables and cells read: a whole status or a brief. */
export type RolloutRow = RolloutBrief | RolloutStatus;

export interface Summary {
  namespace: string;
  /** In registry order; a type the user may not list is left out. */
  workloads: TypeSummary[];
  /** null when the Rollout CRD is not served or the user may not list rollouts. */
  rollouts: { total: number; active: number; waiting: number; inFlight: RolloutBrief[] } | null;
  /** null when the user may not list nodes. */
  cluster: ClusterMetrics | null;
}

/** One item of a compact page: the object pruned to what a list shows, with its state. */
export interface CompactWorkload extends Workload {
  /** The state computed on the server (the values of State in workloadSummary.ts). */
  state?: string;
  /** A declared type's column values, by column name (computed on the server). */
  columns?: Record<string, unknown>;
}

/** The page mode of GET /workload/:namespace/:type. */
export interface WorkloadPageParams {
  view?: "compact" | "full";
  /** Case-insensitive substring of the name. */
  q?: string;
  labelSelector?: string;
  state?: string;
  sort?: "name" | "-name" | "created" | "-created";
  /** 1..1000; absent: every matching item. */
  limit?: number;
  /** The previous page's token. */
  continue?: string;
}

export interface WorkloadPage {
  items: CompactWorkload[];
  /** Items matching the filters, over all pages. */
  total: number;
  /** The next page's token; "" or absent on the last page. */
  continue?: string;
}

/** One change of the live stream (GET /watch, event "change"). */
export interface WatchChange {
  kind: "workload" | "rollout";
  /** A workload type as in the registry, or "rollout". */
  type: string;
  namespace: string;
  name: string;
  action: "ADDED" | "MODIFIED" | "DELETED";
  resourceVersion: string;
}
