import { describe, expect, it } from "vitest";
import type { DeclaredAction, Workload, WorkloadType } from "./api/types";
import {
  actionChanges,
  actionCommand,
  actionParams,
  apiNamespace,
  builtinActionCommand,
  cellText,
  declaredFields,
  kubectlResource,
  mergePatch,
  objectDiff,
  paramProblem,
  typeLabel,
} from "./workloadTypes";

const builtin = (type: string, kind: string, apiVersion = "apps.kruise.io/v1alpha1"): WorkloadType => ({
  type,
  plural: type + "s",
  apiVersion,
  kind,
  capabilities: { scalable: true, restartable: true, imageSettable: true },
  source: "builtin",
  scope: "Namespaced",
});

const sidecarset: WorkloadType = {
  type: "sidecarset",
  plural: "sidecarsets",
  apiVersion: "apps.kruise.io/v1alpha1",
  kind: "SidecarSet",
  capabilities: { scalable: false, restartable: false, imageSettable: false },
  source: "declared",
  scope: "Cluster",
  file: "configs/types (built in)/sidecarset.yaml",
  columns: [
    { name: "matched", title: "Matched pods", type: "number" },
    { name: "sidecars", title: "Sidecars" },
  ],
  actions: [
    { name: "pause", title: "Pause update", patchType: "merge" },
    { name: "partition", title: "Keep pods at the old revision", patchType: "merge", params: [{ name: "partition", title: "Pods kept back", type: "integer", required: true, min: 0 }] },
  ],
};

const appsSts: WorkloadType = {
  type: "apps-statefulset",
  plural: "apps-statefulsets",
  resource: "statefulsets",
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  capabilities: { scalable: true, restartable: true, imageSettable: true },
  source: "declared",
  scope: "Namespaced",
  columns: [{ name: "replicas", title: "Replicas", type: "number" }],
};

const uniteddeployment: WorkloadType = { ...appsSts, type: "uniteddeployment", plural: "uniteddeployments", resource: undefined, apiVersion: "apps.kruise.io/v1alpha1", kind: "UnitedDeployment" };

const all = [builtin("cloneset", "CloneSet"), builtin("statefulset", "StatefulSet", "apps.kruise.io/v1beta1"), sidecarset, appsSts, uniteddeployment];

describe("where a type's objects are", () => {
  it("a cluster-scoped type is asked for under _cluster whatever namespace is shown", () => {
    expect(apiNamespace(sidecarset, "demo")).toBe("_cluster");
    expect(apiNamespace(appsSts, "demo")).toBe("demo");
    expect(apiNamespace(undefined, "demo")).toBe("demo");
    expect(apiNamespace(builtin("cloneset", "CloneSet"), "demo")).toBe("demo");
  });
});

describe("type names", () => {
  it("a declared type with a built-in type's kind is named with its apiVersion; the built-in keeps the plain kind", () => {
    expect(typeLabel(appsSts, all)).toBe("StatefulSet (apps/v1)");
    expect(typeLabel(all[1], all)).toBe("StatefulSet");
    expect(typeLabel(sidecarset, all)).toBe("SidecarSet");
  });
  it("kubectl's resource: the type for built-in types, resource.group for declared ones", () => {
    expect(kubectlResource(all[0], "cloneset")).toBe("cloneset");
    expect(kubectlResource(appsSts, "apps-statefulset")).toBe("statefulsets.apps");
    expect(kubectlResource(sidecarset, "sidecarset")).toBe("sidecarsets.apps.kruise.io");
    expect(kubectlResource({ ...appsSts, apiVersion: "v1", resource: "configmaps" }, "cm")).toBe("configmaps");
  });
});

describe("declared columns", () => {
  it("read the server's values from item.columns under the declared titles", () => {
    const fields = declaredFields(sidecarset);
    expect(fields.map((f) => [f.key, f.title, f.kind])).toEqual([
      ["col:matched", "Matched pods", "number"],
      ["col:sidecars", "Sidecars", "string"],
    ]);
    const item = { apiVersion: "x", kind: "SidecarSet", metadata: { name: "a", uid: "u", resourceVersion: "1", creationTimestamp: null }, spec: {}, columns: { matched: 3, sidecars: "log=busybox" } };
    expect(fields.map((f) => f.value(item))).toEqual([3, "log=busybox"]);
    expect(fields.map((f) => f.value({ ...item, columns: undefined }))).toEqual([null, null]);
  });
  it.each([
    [null, "-"],
    [undefined, "-"],
    ["", "-"],
    [0, "0"],
    [false, "false"],
    [["a", "b"], '["a","b"]'],
    ["x", "x"],
  ])("cellText(%j) is %j", (v, want) => {
    expect(cellText(v)).toBe(want);
  });
});

const partition = sidecarset.actions![1];
const withParams: DeclaredAction = {
  name: "tune",
  title: "Tune",
  patchType: "merge",
  params: [
    { name: "n", title: "N", type: "integer", required: true, min: 1, max: 10 },
    { name: "note", title: "Note", type: "string" },
    { name: "force", title: "Force", type: "boolean" },
  ],
};

describe("action parameters", () => {
  it.each([
    [undefined, "required"],
    [null, "required"],
    [2.5, "whole"],
    [0, "range"],
    [11, "range"],
    [1, ""],
    [10, ""],
  ])("a required integer from 1 to 10: %j is %j", (v, want) => {
    expect(paramProblem(withParams.params![0], v)).toBe(want);
  });
  it("only a minimum: below it is min", () => {
    expect(paramProblem(partition.params![0], -1)).toBe("min");
    expect(paramProblem({ ...partition.params![0], min: undefined, max: 3 }, 4)).toBe("max");
  });
  it("typed as declared; empty optional ones left out; null while one is invalid", () => {
    expect(actionParams(withParams, { n: 3 })).toEqual({ n: 3 });
    expect(actionParams(withParams, { n: 3, note: "", force: false })).toEqual({ n: 3, force: false });
    expect(actionParams(withParams, { n: 3, note: "hi", force: true })).toEqual({ n: 3, note: "hi", force: true });
    expect(actionParams(withParams, {})).toBeNull();
    expect(actionParams(withParams, { n: 0 })).toBeNull();
    expect(actionParams(sidecarset.actions![0], {})).toEqual({});
  });
});

const obj = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): Workload => ({
  apiVersion: "apps.kruise.io/v1alpha1",
  kind: "SidecarSet",
  metadata: { name: "log-agent", uid: "u", resourceVersion: "1", creationTimestamp: null, generation: 1, ...meta },
  spec,
  status: { matchedPods: 2 },
});

describe("what an action changes (the server's dry run against the object)", () => {
  it("lists the changed leaves by path, not the API server's bookkeeping", () => {
    const before = obj({ updateStrategy: { partition: 0 }, containers: [{ name: "log", image: "busybox" }] });
    const after = { ...obj({ updateStrategy: { partition: 0, paused: true }, containers: [{ name: "log", image: "busybox" }] }, { resourceVersion: "2", generation: 2 }), status: { matchedPods: 5 } };
    const { diff, patch } = actionChanges(before, after, sidecarset.actions![0]);
    expect(diff).toEqual([{ path: "spec.updateStrategy.paused", from: "", to: "true" }]);
    expect(patch).toEqual({ spec: { updateStrategy: { paused: true } } });
    expect(actionCommand(sidecarset, "sidecarset", "demo", "log-agent", sidecarset.actions![0], patch)).toBe(
      `kubectl patch sidecarsets.apps.kruise.io log-agent --type merge -p '{"spec":{"updateStrategy":{"paused":true}}}'`,
    );
  });
  it("nothing when the object already is so", () => {
    const o = obj({ updateStrategy: { paused: true } });
    expect(actionChanges(o, { ...o, metadata: { ...o.metadata, resourceVersion: "9" } }, sidecarset.actions![0]).diff).toEqual([]);
  });
  it("a status subresource action compares the status", () => {
    const act: DeclaredAction = { name: "s", title: "S", patchType: "merge", subresource: "status" };
    expect(actionChanges(obj({}), { ...obj({}), status: { matchedPods: 3 } }, act).diff).toEqual([{ path: "status.matchedPods", from: "2", to: "3" }]);
    expect(actionCommand(appsSts, "apps-statefulset", "demo", "db", act)).toBe("kubectl patch statefulsets.apps db -n demo --subresource=status --type merge -p '<the patch of the dry run>'");
  });
  it("lists by index; removed keys are null in the merge patch; lists replaced whole", () => {
    expect(objectDiff({ a: [1, 2] }, { a: [1, 3, 4] })).toEqual([
      { path: "a[1]", from: "2", to: "3" },
      { path: "a[2]", from: "", to: "4" },
    ]);
    expect(mergePatch({ a: 1, b: { c: 1, d: 2 }, l: [1] }, { b: { c: 1 }, l: [2], e: "x" })).toEqual({ a: null, b: { d: null }, l: [2], e: "x" });
  });
});

describe("built-in actions' commands on any type", () => {
  it("built-in types keep theirs (kubectl with the type)", () => {
    expect(builtinActionCommand("scale", all[0], "cloneset", "demo", "shop", { replicas: 3 })).toBe("kubectl scale cloneset/shop -n demo --replicas=3");
    expect(builtinActionCommand("restart", all[0], "cloneset", "demo", "shop")).toMatch(/^kubectl patch cloneset shop -n demo --type merge/);
    expect(builtinActionCommand("setImage", all[0], "cloneset", "demo", "shop", { images: { main: "nginx" } })).toBe("kubectl-kruise set image cloneset/shop main=nginx -n demo");
  });
  it("declared apps/v1 types: kubectl's own commands with the resource.group", () => {
    expect(builtinActionCommand("scale", appsSts, "apps-statefulset", "demo", "db", { replicas: 2 })).toBe("kubectl scale statefulsets.apps/db -n demo --replicas=2");
    expect(builtinActionCommand("restart", appsSts, "apps-statefulset", "demo", "db")).toBe("kubectl rollout restart statefulsets.apps/db -n demo");
    expect(builtinActionCommand("setImage", appsSts, "apps-statefulset", "demo", "db", { images: { main: "nginx:1.29" } })).toBe("kubectl set image statefulsets.apps/db main=nginx:1.29 -n demo");
    expect(builtinActionCommand("delete", appsSts, "apps-statefulset", "demo", "db")).toBe("kubectl delete statefulsets.apps db -n demo");
  });
  it("a cluster-scoped type has no namespace flag", () => {
    expect(builtinActionCommand("delete", sidecarset, "sidecarset", "demo", "log-agent")).toBe("kubectl delete sidecarsets.apps.kruise.io log-agent");
  });
  it("no command where kubectl cannot do what the dashboard does (a template only the declaration locates)", () => {
    expect(builtinActionCommand("restart", uniteddeployment, "uniteddeployment", "demo", "ud")).toBeUndefined();
    expect(builtinActionCommand("setImage", uniteddeployment, "uniteddeployment", "demo", "ud")).toBeUndefined();
  });
});
