// Shapes of the backend's answers: generated from the server's OpenAPI document
// (src/api/schema.ts, by scripts/gen-api.mjs from src/api/openapi.json; `make openapi`). Only the
// names the UI uses are given here; request parameters and UI vocabularies are written below.
import type { components, operations } from "./schema";

type S = components["schemas"];

export type ObjectMeta = S["ObjectMeta"];
export type OwnerReference = S["OwnerReference"];
/** A workload (or any Kubernetes) object as served: apiVersion, kind, metadata, spec, status. */
export type Workload = S["KubeObject"];
export type Pod = S["Pod"];
export type WorkloadWithPods = S["WorkloadWithPods"];
export type Capabilities = S["Capabilities"];
export type WorkloadType = S["WorkloadType"];
/** Where a type comes from: a Go adapter, or a YAML declaration. */
export type WorkloadSource = WorkloadType["source"];
/** Namespaced, or Cluster: a cluster-scoped type's objects are under the namespace segment _cluster. */
export type WorkloadScope = WorkloadType["scope"];
/** A column a declared type lists: its value is item.columns[name] of a compact page item. */
export type DeclaredColumn = S["Column"];
/** One typed parameter of a declared action. */
export type ActionParam = S["Param"];
/** A declared type's named action (POST .../action/:name). */
export type DeclaredAction = S["Action"];
export type ClusterMetrics = S["ClusterMetrics"];
/** A namespace's pods by phase (GET /summary/:namespace), as `kubectl get pods -n` lists them. */
export type PodCounts = S["PodCounts"];
export type RolloutStep = S["RolloutStep"];
export type RolloutStatus = S["RolloutStatus"];
export type ActionResult = S["ActionResult"];
export type Revision = S["HistoryEntry"];
export type History = S["History"];
export type UndoResult = S["UndoResult"];
export type RestartResult = S["RestartResult"];
/** One changed field of a pod template (dotted path). */
export type TemplateChange = S["Change"];
/** One step of the release an action would start, as the previews describe it. */
export type ReleaseStep = S["StepPlan"];
export type SetImageResult = S["SetImageResult"];
/** GET /workload/:namespace/:type/:name/rollout: the Rollout governing the workload, or null. */
export type WorkloadRollout = S["WorkloadRollout"];
export type ApproveItem = S["ApproveItem"];
/** GET /rollout/timeline/:namespace/:name: the release's story (status and the dashboard's record). */
export type Timeline = S["Timeline"];
export type TimelineStep = S["TimelineStep"];
export type RolloutTraffic = S["RolloutTraffic"];
export type TrafficRouting = S["TrafficRouting"];
export type TrafficStep = S["TrafficStep"];
export type TrafficMatch = S["TrafficMatch"];
/** The answer for one item of a bulk approval ("OK" or an error code, and whether it changed). */
export type ApproveItemResult = S["ApproveItemResult"];
export type AuthConfig = S["AuthConfig"];
export type AuthMode = AuthConfig["mode"];
/** POST /auth/login */
export type LoginResult = S["Me"];
/** Whether the signed-in user may do one thing; reason says why not. */
export type Permission = S["Permission"];
/** GET /me?namespace=: the user ("" in mode none) and their permissions in the namespace. */
export type Me = S["Me"];
/** A Kubernetes event about an object (newest first in the lists). */
export type KubeEvent = S["KubeEvent"];
export type PodLog = S["PodLog"];
/** GET /summary/:namespace: one type's count, and its count per state. */
export type TypeSummary = S["WorkloadCount"];
/** A release in flight as the overview lists it. */
export type RolloutBrief = S["RolloutBrief"];
export type Summary = S["Summary"];
/** One item of a compact page: the object pruned to what a list shows, with its state. */
export type CompactWorkload = S["CompactWorkload"];
export type WorkloadPage = S["WorkloadPage"];
/** One change of the live stream (GET /watch, event "change"). */
export type WatchChange = S["WatchChange"];

/** What the rollout tables and cells read: a whole status or a brief. */
export type RolloutRow = RolloutBrief | RolloutStatus;

export type WorkloadVerb = "scale" | "restart" | "delete" | "setImage" | "undo";
/** The permission key of a declared action in GET /me. */
export type ActionVerb = `action:${string}`;
export type RolloutVerb = "approve" | "pause" | "resume" | "promote" | "enable" | "disable";

/** The page mode of GET /workload/:namespace/:type (its query parameters). */
export type WorkloadPageParams = NonNullable<operations["listWorkloads"]["parameters"]["query"]>;
