import { describe, expect, it } from "vitest";
import { toYaml } from "./yaml";
import { kubectl, summarize } from "./workloadSummary";
import type { Workload } from "./api/types";

describe("toYaml", () => {
  it.each([
    [{ a: 1, b: "x" }, "a: 1\nb: x"],
    [{ spec: { replicas: 3, paused: false } }, "spec:\n  replicas: 3\n  paused: false"],
    [{ list: [{ name: "main", image: "nginx:1.27" }] }, "list:\n  - name: main\n    image: nginx:1.27"],
    [{ empty: [], none: {}, nil: null }, "empty: []\nnone: {}\nnil: null"],
    [{ s: "true", n: "10", sp: "a b", colon: "k: v" }, 's: "true"\nn: "10"\nsp: a b\ncolon: "k: v"'],
  ])("%j", (value, want) => {
    expect(toYaml(value)).toBe(want);
  });
});

const w = (kind: string, spec: Record<string, any>, status: Record<string, any>, annotations?: Record<string, string>): Workload => ({
  apiVersion: "v1",
  kind,
  metadata: { name: "x", annotations },
  spec,
  status,
});

describe("summarize reads each kind's own fields", () => {
  it.each([
    ["Deployment", w("Deployment", { replicas: 3 }, { readyReplicas: 2, updatedReplicas: 1 }, { "deployment.kubernetes.io/revision": "4" }), { replicas: 3, ready: 2, updated: 1, revision: "4" }],
    ["CloneSet", w("CloneSet", { replicas: 5 }, { readyReplicas: 5, updatedReplicas: 5, updateRevision: "shop-abc" }), { replicas: 5, ready: 5, updated: 5, revision: "shop-abc" }],
    ["DaemonSet", w("DaemonSet", {}, { desiredNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, daemonSetHash: "h" }), { replicas: 3, ready: 2, updated: 3, revision: "h" }],
    ["BroadcastJob", w("BroadcastJob", {}, { desired: 3, active: 1, succeeded: 2, phase: "running" }), { replicas: 3, ready: 1, updated: 2, revision: "running" }],
    ["AdvancedCronJob", w("AdvancedCronJob", { schedule: "*/1 * * * *" }, { active: [{}], type: "Job" }), { replicas: "*/1 * * * *", ready: 1, updated: 0, revision: "Job" }],
  ])("%s", (_, workload, want) => {
    expect(summarize(workload)).toEqual(want);
  });
});

describe("kubectl commands", () => {
  it("scale and delete", () => {
    expect(kubectl("scale", "CloneSet", "cloneset", "demo", "shop", 3)).toBe("kubectl scale cloneset/shop -n demo --replicas=3");
    expect(kubectl("delete", "CloneSet", "cloneset", "demo", "shop")).toBe("kubectl delete cloneset shop -n demo");
    expect(kubectl("restart", "Deployment", "deployment", "demo", "web")).toBe("kubectl rollout restart deployment/web -n demo");
  });
});
