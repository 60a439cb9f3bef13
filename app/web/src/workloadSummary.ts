import type { Workload } from "./api/types";
import type { Messages } from "./i18n";

// What each kind of workload keeps where (docs/semantics.md §6.3): every field is shown under a title that
// says what it is, so a cron schedule is never a "replica count" and a job phase never a "revision".

type Label = keyof Messages;

/** One column of a workload list (and one line of the detail summary). */
export interface Field {
  key: string;
  /** The i18n key of the title. */
  title: Label;
  value: (w: Workload) => number | string | null;
  /** Shown as an age ("3m") with the time on hover. */
  time?: boolean;
}

/** A workload's state, for the State column and its filter. */
export type State =
  | "ready"
  | "updating"
  | "partitioned"
  | "notReady"
  | "paused"
  | "scaledToZero"
  | "pending"
  | "running"
  | "completed"
  | "failed"
  | "suspended"
  | "scheduled"
  | "active";

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const status = (w: Workload) => w.status ?? {};
const spec = (w: Workload) => w.spec ?? {};

const replicas: Field = { key: "replicas", title: "replicas", value: (w) => (typeof spec(w).replicas === "number" ? spec(w).replicas : 1) };
const readyReplicas: Field = { key: "ready", title: "ready", value: (w) => num(status(w).readyReplicas) };
const updatedReplicas: Field = { key: "updated", title: "upToDate", value: (w) => num(status(w).updatedReplicas) };
const availableReplicas: Field = { key: "available", title: "available", value: (w) => num(status(w).availableReplicas) };
const updateRevision: Field = { key: "revision", title: "updateRevision", value: (w) => str(status(w).updateRevision) };
const currentRevision: Field = { key: "currentRevision", title: "currentRevision", value: (w) => str(status(w).currentRevision) };

/** The fields of a kind, in column order (age and state are added by the tables). */
export function fieldsOf(kind: string): Field[] {
  switch (kind) {
    case "Deployment":
      return [
        replicas,
        readyReplicas,
        updatedReplicas,
        availableReplicas,
        { key: "revision", title: "revision", value: (w) => str(w.metadata.annotations?.["deployment.kubernetes.io/revision"]) },
      ];
    case "DaemonSet":
      return [
        { key: "desired", title: "desired", value: (w) => num(status(w).desiredNumberScheduled) },
        { key: "ready", title: "ready", value: (w) => num(status(w).numberReady) },
        { key: "updated", title: "upToDate", value: (w) => num(status(w).updatedNumberScheduled) },
        { key: "available", title: "available", value: (w) => num(status(w).numberAvailable) },
        { key: "revision", title: "updateRevision", value: (w) => str(status(w).daemonSetHash) },
      ];
    case "BroadcastJob":
      return [
        { key: "desired", title: "desired", value: (w) => num(status(w).desired) },
        { key: "active", title: "activePods", value: (w) => num(status(w).active) },
        { key: "succeeded", title: "succeeded", value: (w) => num(status(w).succeeded) },
        { key: "failed", title: "failed", value: (w) => num(status(w).failed) },
        { key: "completed", title: "completedAt", value: (w) => str(status(w).completionTime), time: true },
      ];
    case "AdvancedCronJob":
      return [
        { key: "schedule", title: "schedule", value: (w) => str(spec(w).schedule) },
        { key: "activeJobs", title: "activeJobs", value: (w) => (Array.isArray(status(w).active) ? status(w).active.length : 0) },
        { key: "lastSchedule", title: "lastScheduled", value: (w) => str(status(w).lastScheduleTime), time: true },
        { key: "jobKind", title: "jobKind", value: (w) => str(status(w).type) ?? (spec(w).template?.broadcastJobTemplate ? "BroadcastJob" : spec(w).template?.jobTemplate ? "Job" : null) },
      ];
    case "CloneSet":
    case "StatefulSet":
    default:
      return [replicas, readyReplicas, updatedReplicas, availableReplicas, updateRevision, currentRevision];
  }
}

/** The fields shown in a list (the detail page shows them all). */
export function listFieldsOf(kind: string): Field[] {
  return fieldsOf(kind).filter((f) => f.key !== "currentRevision" && f.key !== "available");
}

/** The states a kind can be in (the State filter's choices). */
export function statesOf(kind: string): State[] {
  switch (kind) {
    case "BroadcastJob":
      return ["pending", "running", "paused", "completed", "failed"];
    case "AdvancedCronJob":
      return ["active", "scheduled", "suspended"];
    case "DaemonSet":
      return ["ready", "updating", "partitioned", "notReady", "paused"];
    case "Deployment":
      return ["ready", "updating", "notReady", "paused", "scaledToZero"];
    default:
      return ["ready", "updating", "partitioned", "notReady", "paused", "scaledToZero"];
  }
}

/** Pods kept at the old revision on purpose (the update strategy's partition), or 0. */
function partitioned(w: Workload, desired: number): number {
  const s = status(w);
  const u = spec(w).updateStrategy ?? {};
  switch (w.kind) {
    case "CloneSet":
      return typeof s.expectedUpdatedReplicas === "number" ? Math.max(0, desired - s.expectedUpdatedReplicas) : 0;
    case "StatefulSet":
    case "DaemonSet": {
      const p = u.rollingUpdate?.partition;
      return typeof p === "number" ? Math.min(desired, Math.max(0, p)) : 0;
    }
  }
  return 0;
}

function paused(w: Workload): boolean {
  const sp = spec(w);
  switch (w.kind) {
    case "Deployment":
      return sp.paused === true;
    case "CloneSet":
      return sp.updateStrategy?.paused === true;
    case "StatefulSet":
    case "DaemonSet":
      return sp.updateStrategy?.rollingUpdate?.paused === true;
  }
  return false;
}

/** What a workload is doing, read from its own status fields. */
export function stateOf(w: Workload): State {
  const s = status(w);
  switch (w.kind) {
    case "BroadcastJob": {
      if (spec(w).paused === true) return "paused";
      const phase = String(s.phase ?? "").toLowerCase();
      if (phase === "completed" || phase === "failed" || phase === "running" || phase === "paused") return phase as State;
      return "pending";
    }
    case "AdvancedCronJob":
      if (spec(w).paused === true) return "suspended";
      return Array.isArray(s.active) && s.active.length > 0 ? "active" : "scheduled";
  }
  const daemon = w.kind === "DaemonSet";
  const desired = daemon ? num(s.desiredNumberScheduled) : typeof spec(w).replicas === "number" ? spec(w).replicas : 1;
  const ready = daemon ? num(s.numberReady) : num(s.readyReplicas);
  const updated = daemon ? num(s.updatedNumberScheduled) : num(s.updatedReplicas);
  const total = daemon ? num(s.currentNumberScheduled) : num(s.replicas);
  const stale = typeof w.metadata.generation === "number" && typeof s.observedGeneration === "number" && s.observedGeneration < w.metadata.generation;
  if (paused(w)) return "paused";
  if (!daemon && desired === 0 && total === 0) return "scaledToZero";
  const held = partitioned(w, desired);
  if (stale || updated < desired - held || total > desired) return "updating";
  if (ready < desired) return "notReady";
  if (updated < desired) return "partitioned";
  return "ready";
}

/** The state's tag colour (status colours only: they keep their contrast in both themes). */
export function stateColor(state: State): string {
  switch (state) {
    case "ready":
    case "completed":
      return "success";
    case "updating":
    case "running":
    case "active":
      return "processing";
    case "notReady":
    case "failed":
      return "error";
    case "paused":
    case "partitioned":
    case "suspended":
      return "warning";
    default:
      return "default";
  }
}

/** The state's i18n key. */
export const stateLabel = (state: State): Label => ("state_" + state) as Label;

/** The containers of the pod template, wherever the kind keeps it. */
export function containersOf(w: Workload): { name: string; image: string }[] {
  const sp = spec(w);
  const template =
    sp.template?.spec?.containers !== undefined
      ? sp.template
      : (sp.template?.jobTemplate?.spec?.template ?? sp.template?.broadcastJobTemplate?.spec?.template);
  const list = template?.spec?.containers;
  return Array.isArray(list) ? list.map((c: { name?: string; image?: string }) => ({ name: String(c.name ?? ""), image: String(c.image ?? "") })) : [];
}

/** The command line a user would type for an action. */
export function kubectl(action: "scale" | "restart" | "delete", kind: string, type: string, ns: string, name: string, replicas?: number): string {
  const kruise = kind !== "Deployment";
  switch (action) {
    case "scale":
      return `kubectl scale ${type}/${name} -n ${ns} --replicas=${replicas ?? "N"}`;
    case "restart":
      return kruise
        ? `kubectl patch ${type} ${name} -n ${ns} --type merge -p '{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"<now>"}}}}}'`
        : `kubectl rollout restart deployment/${name} -n ${ns}`;
    case "delete":
      return `kubectl delete ${type} ${name} -n ${ns}`;
  }
}

/** The set-image command: kubectl for a Deployment, kubectl-kruise for Kruise kinds (kubectl cannot). */
export function setImageCommand(kind: string, type: string, ns: string, name: string, images: Record<string, string>): string {
  const pairs = Object.entries(images).map(([c, i]) => `${c}=${i}`).join(" ") || "<container>=<image>";
  return kind === "Deployment" ? `kubectl set image deployment/${name} ${pairs} -n ${ns}` : `kubectl-kruise set image ${type}/${name} ${pairs} -n ${ns}`;
}
