import { describe, expect, it } from "vitest";
import type { DeclaredAction, Workload, WorkloadType } from "./api/types";
import { actionChanges, actionParams, apiNamespace, cellText, localTitle, mergePatch, namedByKind, objectDiff, paramProblem, typeFields, typeLabel } from "./workloadTypes";
import { declaredActionCommand, kruiseResource, rolloutCommands, workloadCommand } from "./components/commands";
import served from "./api/workloadTypes.json";

// The types as the server describes them (the built-in kinds' adapters and the shipped
// declarations; written by configs' TestWorkloadTypesFixture).
const all = served as WorkloadType[];
const byType = (type: string) => all.find((ty) => ty.type === type)!;
const sidecarset = byType("sidecarset");
const appsSts = byType("apps-statefulset");
const uniteddeployment = byType("uniteddeployment");
const pause = sidecarset.actions!.find((a) => a.name === "pause")!;
const partition = sidecarset.actions!.find((a) => a.name === "partition")!;

describe("where a type's objects are", () => {
  it("a cluster-scoped type is asked for under _cluster whatever namespace is shown", () => {
    expect(apiNamespace(sidecarset, "demo")).toBe("_cluster");
    expect(apiNamespace(appsSts, "demo")).toBe("demo");
    expect(apiNamespace(undefined, "demo")).toBe("demo");
    expect(apiNamespace(byType("cloneset"), "demo")).toBe("demo");
  });
});

describe("type names", () => {
  it("Kruise's kinds are the Advanced ones, apps/v1's the plain names: no two types read alike, in either language", () => {
    for (const locale of ["en-US", "zh-CN"] as const) {
      expect(typeLabel(appsSts, all, locale)).toBe("StatefulSet");
      expect(typeLabel(byType("apps-daemonset"), all, locale)).toBe("DaemonSet");
      expect(typeLabel(byType("statefulset"), all, locale)).toBe("Advanced StatefulSet");
      expect(typeLabel(byType("daemonset"), all, locale)).toBe("Advanced DaemonSet");
      expect(typeLabel(byType("deployment"), all, locale)).toBe("Deployment");
      expect(typeLabel(sidecarset, all, locale)).toBe("SidecarSet");
      const labels = all.map((ty) => typeLabel(ty, all, locale));
      expect(new Set(labels).size).toBe(labels.length);
      // Never the API's id.
      for (const ty of all) expect(typeLabel(ty, all, locale)).not.toBe(ty.type);
    }
  });
  it("two types titled alike are told apart by their apiVersion", () => {
    const twin = { ...appsSts, type: "twin", apiVersion: "example.com/v1" };
    expect(typeLabel(twin, [...all, twin])).toBe("StatefulSet (example.com/v1)");
    expect(typeLabel(appsSts, [...all, twin])).toBe("StatefulSet (apps/v1)");
  });
});

describe("columns", () => {
  it("read the server's values from item.columns under the declared titles", () => {
    const fields = typeFields(sidecarset, "en-US", "list");
    expect(fields.map((f) => [f.key, f.title, f.kind])).toEqual([
      ["col:matched", "Matched pods", "number"],
      ["col:updated", "Updated", "number"],
      ["col:ready", "Ready", "number"],
      ["col:sidecars", "Sidecars", "string"],
    ]);
    const item = { apiVersion: "x", kind: "SidecarSet", metadata: { name: "a", uid: "u", resourceVersion: "1", creationTimestamp: null }, spec: {}, columns: { matched: 3, sidecars: "log=busybox" } };
    expect(fields.map((f) => f.value(item))).toEqual([3, null, null, "log=busybox"]);
    expect(fields.map((f) => f.value({ ...item, columns: undefined }))).toEqual([null, null, null, null]);
  });
  it("a built-in kind's titles in the locale, its detail-only columns on the detail page", () => {
    const cloneset = byType("cloneset");
    expect(typeFields(cloneset, "en-US", "list").map((f) => f.title)).toEqual(["Replicas", "Ready", "Up to date", "Update revision"]);
    expect(typeFields(cloneset, "zh-CN", "detail").map((f) => f.title)).toEqual(["副本", "就绪", "已更新", "可用", "更新版本", "当前版本"]);
    // A cron job's columns say what they are: no replica count, no revision.
    expect(typeFields(byType("advancedcronjob"), "en-US", "list").map((f) => f.key)).toEqual(["col:schedule", "col:activeJobs", "col:lastSchedule", "col:jobKind"]);
    // A declared type's titles in the locale (its declaration's titles), else its own.
    expect(typeFields(sidecarset, "zh-CN", "list")[0].title).toBe("匹配的 Pod");
    const untitled = { ...sidecarset, columns: sidecarset.columns.map((c) => ({ ...c, titles: undefined })) };
    expect(typeFields(untitled, "zh-CN", "list")[0].title).toBe("Matched pods");
  });
  it("a declared type's name, actions and parameters in the locale, from its declaration", () => {
    const job = byType("imagepulljob");
    expect(typeLabel(job, all, "zh-CN")).toBe("镜像预热任务");
    expect(typeLabel(job, all, "en-US")).toBe("ImagePullJob");
    expect(namedByKind(job, "zh-CN")).toBe(false);
    expect(namedByKind(sidecarset, "zh-CN")).toBe(true);
    const partition = sidecarset.actions!.find((a) => a.name === "partition")!;
    expect([localTitle(partition, "zh-CN"), localTitle(partition, "en-US")]).toEqual(["让 Pod 保持旧版本", "Keep pods at the old revision"]);
    expect(localTitle(partition.params![0], "zh-CN")).toBe("保持旧版本的 Pod 数");
    expect(localTitle({ name: "x" }, "zh-CN")).toBe("x");
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

const withParams: DeclaredAction = {
  name: "tune",
  title: "Tune",
  patchType: "merge",
  command: "",
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
    expect(actionParams(pause, {})).toEqual({});
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
    const { diff, patch } = actionChanges(before, after, pause);
    expect(diff).toEqual([{ path: "spec.updateStrategy.paused", from: "", to: "true" }]);
    expect(patch).toEqual({ spec: { updateStrategy: { paused: true } } });
    expect(declaredActionCommand(pause, "demo", "log-agent", patch)).toBe(
      `kubectl patch sidecarsets.apps.kruise.io log-agent --type merge -p '{"spec":{"updateStrategy":{"paused":true}}}'`,
    );
  });
  it("nothing when the object already is so", () => {
    const o = obj({ updateStrategy: { paused: true } });
    expect(actionChanges(o, { ...o, metadata: { ...o.metadata, resourceVersion: "9" } }, pause).diff).toEqual([]);
  });
  it("a status subresource action compares the status", () => {
    const act: DeclaredAction = { name: "s", title: "S", patchType: "merge", subresource: "status", command: "kubectl patch statefulsets.apps {name} -n {namespace} --subresource=status --type merge -p '{patch}'" };
    expect(actionChanges(obj({}), { ...obj({}), status: { matchedPods: 3 } }, act).diff).toEqual([{ path: "status.matchedPods", from: "2", to: "3" }]);
    expect(declaredActionCommand(act, "demo", "db")).toBe("kubectl patch statefulsets.apps db -n demo --subresource=status --type merge -p '<the patch of the dry run>'");
  });
  it("lists by index; removed keys are null in the merge patch; lists replaced whole", () => {
    expect(objectDiff({ a: [1, 2] }, { a: [1, 3, 4] })).toEqual([
      { path: "a[1]", from: "2", to: "3" },
      { path: "a[2]", from: "", to: "4" },
    ]);
    expect(mergePatch({ a: 1, b: { c: 1, d: 2 }, l: [1] }, { b: { c: 1 }, l: [2], e: "x" })).toEqual({ a: null, b: { d: null }, l: [2], e: "x" });
  });
});

describe("the commands the server describes, filled in", () => {
  const cmd = (type: string, action: "scale" | "restart" | "setImage" | "delete", opts = {}) => workloadCommand(byType(type), action, "demo", "x", opts);
  it("Kruise kinds are named with their group for kubectl, and as kubectl-kruise's docs name them: statefulset alone is apps/v1's to both", () => {
    expect(cmd("statefulset", "scale", { replicas: 3 })).toBe("kubectl scale statefulsets.apps.kruise.io/x -n demo --replicas=3");
    expect(cmd("statefulset", "setImage", { images: { main: "nginx" } })).toBe("kubectl-kruise set image asts/x main=nginx -n demo");
    expect(cmd("daemonset", "setImage", { images: { main: "nginx" } })).toBe("kubectl-kruise set image ads/x main=nginx -n demo");
    expect(cmd("cloneset", "setImage", { images: { main: "nginx" } })).toBe("kubectl-kruise set image cloneset/x main=nginx -n demo");
    expect(cmd("cloneset", "delete")).toBe("kubectl delete clonesets.apps.kruise.io x -n demo");
  });
  it("a restart stamps the template with the time now", () => {
    expect(cmd("cloneset", "restart")).toMatch(/^kubectl patch clonesets\.apps\.kruise\.io x -n demo --type merge -p '\{"spec":\{"template":\{"metadata":\{"annotations":\{"kubectl\.kubernetes\.io\/restartedAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}\}\}\}\}'$/);
    expect(cmd("deployment", "restart")).toBe("kubectl rollout restart deployments.apps/x -n demo");
  });
  it("declared apps/v1 types: kubectl's own verbs with the resource.group", () => {
    expect(cmd("apps-statefulset", "scale", { replicas: 2 })).toBe("kubectl scale statefulsets.apps/x -n demo --replicas=2");
    expect(cmd("apps-statefulset", "setImage", { images: { main: "nginx:1.29" } })).toBe("kubectl set image statefulsets.apps/x main=nginx:1.29 -n demo");
  });
  it("a cluster-scoped type has no namespace flag", () => {
    expect(cmd("sidecarset", "delete")).toBe("kubectl delete sidecarsets.apps.kruise.io x");
  });
  it("no command where kubectl cannot do what the dashboard does (a template only the declaration locates)", () => {
    expect(cmd("uniteddeployment", "restart")).toBeUndefined();
    expect(cmd("uniteddeployment", "setImage")).toBeUndefined();
    expect(uniteddeployment.capabilities.restartable).toBe(true);
  });
  it("a Rollout's restart names its workload as kubectl-kruise's docs do; kubectl patch names Kruise's Rollout by its group", () => {
    const c = rolloutCommands("demo", "r");
    expect(c.restart(kruiseResource(byType("statefulset"), "statefulset"), "db")).toBe("kubectl-kruise rollout restart asts/db -n demo");
    expect(c.restart(kruiseResource(byType("apps-statefulset"), "apps-statefulset"), "db")).toBe("kubectl-kruise rollout restart statefulset/db -n demo");
    expect(c.restart(kruiseResource(byType("cloneset"), "cloneset"), "shop")).toBe("kubectl-kruise rollout restart cloneset/shop -n demo");
    expect(c.restart(kruiseResource(undefined, "unknown"), "x")).toBe("kubectl-kruise rollout restart unknown/x -n demo");
    expect(c.enable).toBe(`kubectl patch rollouts.rollouts.kruise.io r -n demo --type merge -p '{"spec":{"disabled":false}}'`);
  });
});
