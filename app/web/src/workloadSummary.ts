import type { Workload } from "./api/types";

// One row of numbers per workload, whatever its kind keeps them in (see semantics §6.3).
export interface Summary {
  replicas: number | string;
  ready: number;
  updated: number;
  revision: string;
}

export function summarize(w: Workload): Summary {
  const s = w.status ?? {};
  const spec = w.spec ?? {};
  switch (w.kind) {
    case "DaemonSet":
      return { replicas: s.desiredNumberScheduled ?? 0, ready: s.numberReady ?? 0, updated: s.updatedNumberScheduled ?? 0, revision: s.daemonSetHash ?? "-" };
    case "BroadcastJob":
      return { replicas: s.desired ?? 0, ready: s.active ?? 0, updated: s.succeeded ?? 0, revision: s.phase ?? "-" };
    case "AdvancedCronJob":
      return { replicas: spec.schedule ?? "-", ready: (s.active ?? []).length, updated: 0, revision: s.type ?? "-" };
    case "Deployment":
      return {
        replicas: spec.replicas ?? 1,
        ready: s.readyReplicas ?? 0,
        updated: s.updatedReplicas ?? 0,
        revision: w.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "-",
      };
    default:
      return { replicas: spec.replicas ?? 1, ready: s.readyReplicas ?? 0, updated: s.updatedReplicas ?? 0, revision: s.updateRevision ?? "-" };
  }
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
