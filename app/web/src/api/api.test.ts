import { afterEach, describe, expect, it } from "vitest";
import { ApiError, setFetch } from "./http";
import { getClusterMetrics } from "./cluster";
import { getSummary } from "./summary";
import { listNamespaces } from "./namespace";
import * as workload from "./workload";
import * as rollout from "./rollout";

interface Seen {
  method: string;
  url: string;
}

/** Replaces fetch with one that records the call and answers status/body. */
function answer(status: number, body: unknown, seen: Seen[] = []) {
  setFetch(async (input, init) => {
    seen.push({ method: init?.method ?? "GET", url: String(input) });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  });
  return seen;
}

afterEach(() => setFetch((...args) => fetch(...args)));

describe("API modules call the contract's endpoints", () => {
  const cases: [string, () => Promise<unknown>, string, string][] = [
    ["getClusterMetrics", () => getClusterMetrics(), "GET", "/api/v1/cluster/metrics"],
    ["listNamespaces", () => listNamespaces(), "GET", "/api/v1/namespaces"],
    ["listAllWorkloads", () => workload.listAllWorkloads("demo"), "GET", "/api/v1/workload/demo"],
    ["getWorkload", () => workload.getWorkload("demo", "cloneset", "shop"), "GET", "/api/v1/workload/demo/cloneset/shop"],
    ["listWorkloads", () => workload.listWorkloads("demo", "cloneset"), "GET", "/api/v1/workload/demo/cloneset"],
    ["getWorkloadWithPods", () => workload.getWorkloadWithPods("demo", "cloneset", "shop"), "GET", "/api/v1/workload/demo/cloneset/shop/pods"],
    ["scaleWorkload", () => workload.scaleWorkload("demo", "cloneset", "shop", 5), "POST", "/api/v1/workload/demo/cloneset/shop/scale?replicas=5"],
    ["restartWorkload", () => workload.restartWorkload("demo", "deployment", "web"), "POST", "/api/v1/workload/demo/deployment/web/restart"],
    ["deleteWorkload", () => workload.deleteWorkload("demo", "cloneset", "shop"), "DELETE", "/api/v1/workload/demo/cloneset/shop"],
    ["listWorkloadTypes", () => workload.listWorkloadTypes(), "GET", "/api/v1/workload-types"],
    ["getRollout", () => rollout.getRollout("demo", "shop"), "GET", "/api/v1/rollout/demo/shop"],
    ["getRolloutStatus", () => rollout.getRolloutStatus("demo", "shop"), "GET", "/api/v1/rollout/status/demo/shop"],
    ["getRolloutHistory", () => rollout.getRolloutHistory("demo", "shop"), "GET", "/api/v1/rollout/history/demo/shop"],
    ["pauseRollout", () => rollout.pauseRollout("demo", "shop"), "POST", "/api/v1/rollout/pause/demo/shop"],
    ["resumeRollout", () => rollout.resumeRollout("demo", "shop"), "POST", "/api/v1/rollout/resume/demo/shop"],
    ["undoRollout", () => rollout.undoRollout("demo", "shop"), "POST", "/api/v1/rollout/undo/demo/shop"],
    ["undoRollout to a revision", () => rollout.undoRollout("demo", "shop", 3), "POST", "/api/v1/rollout/undo/demo/shop?revision=3"],
    ["restartRollout", () => rollout.restartRollout("demo", "shop"), "POST", "/api/v1/rollout/restart/demo/shop"],
    ["approveRollout", () => rollout.approveRollout("demo", "shop"), "POST", "/api/v1/rollout/approve/demo/shop"],
    ["approveRollout with the step shown", () => rollout.approveRollout("demo", "shop", 2), "POST", "/api/v1/rollout/approve/demo/shop?step=2"],
    ["listAllRollouts", () => rollout.listAllRollouts("_all"), "GET", "/api/v1/rollout/list/_all"],
    ["listActiveRollouts", () => rollout.listActiveRollouts("demo"), "GET", "/api/v1/rollout/active/demo"],
    ["promoteRollout", () => rollout.promoteRollout("demo", "shop", 2), "POST", "/api/v1/rollout/promote/demo/shop?to=2"],
    ["setRolloutDisabled", () => rollout.setRolloutDisabled("demo", "shop", true), "POST", "/api/v1/rollout/disable/demo/shop"],
    ["getWorkloadEvents", () => workload.getWorkloadEvents("demo", "cloneset", "shop"), "GET", "/api/v1/workload/demo/cloneset/shop/events"],
    ["getRolloutEvents", () => rollout.getRolloutEvents("demo", "shop"), "GET", "/api/v1/rollout/events/demo/shop"],
    ["undoRollout preview", () => rollout.undoRollout("demo", "shop", undefined, true), "POST", "/api/v1/rollout/undo/demo/shop?dryRun=true"],
    ["undoRollout preview of a revision", () => rollout.undoRollout("demo", "shop", 2, true), "POST", "/api/v1/rollout/undo/demo/shop?revision=2&dryRun=true"],
    ["undoRollout not a preview", () => rollout.undoRollout("demo", "shop", 2, false), "POST", "/api/v1/rollout/undo/demo/shop?revision=2"],
    ["restartRollout preview", () => rollout.restartRollout("demo", "shop", true), "POST", "/api/v1/rollout/restart/demo/shop?dryRun=true"],
    ["restartRollout not a preview", () => rollout.restartRollout("demo", "shop", false), "POST", "/api/v1/rollout/restart/demo/shop"],
    ["listWaitingRollouts", () => rollout.listWaitingRollouts(), "GET", "/api/v1/rollout/waiting"],
    ["getWorkloadRollout", () => workload.getWorkloadRollout("demo", "cloneset", "shop"), "GET", "/api/v1/workload/demo/cloneset/shop/rollout"],
    ["getPodLog", () => workload.getPodLog("demo", "cloneset", "shop", "shop-x7k2p"), "GET", "/api/v1/workload/demo/cloneset/shop/pods/shop-x7k2p/log"],
    ["getSummary", () => getSummary("demo"), "GET", "/api/v1/summary/demo"],
    ["listWorkloadPage: compact by default", () => workload.listWorkloadPage("demo", "cloneset"), "GET", "/api/v1/workload/demo/cloneset?view=compact"],
    [
      "listWorkloadPage with every parameter",
      () => workload.listWorkloadPage("demo", "cloneset", { view: "full", q: "sh op", labelSelector: "app=web,tier!=db", state: "ready", sort: "-created", limit: 200, continue: "eyJ" }),
      "GET",
      "/api/v1/workload/demo/cloneset?view=full&q=sh+op&labelSelector=app%3Dweb%2Ctier%21%3Ddb&state=ready&sort=-created&limit=200&continue=eyJ",
    ],
    ["listWorkloadPage leaves out empty parameters", () => workload.listWorkloadPage("demo", "cloneset", { q: "", state: "", continue: "" }), "GET", "/api/v1/workload/demo/cloneset?view=compact"],
    ["getPodLog of a container", () => workload.getPodLog("demo", "cloneset", "shop", "shop-x7k2p", "main", 100), "GET", "/api/v1/workload/demo/cloneset/shop/pods/shop-x7k2p/log?container=main&tailLines=100"],
  ];
  it.each(cases)("%s", async (_, call, method, url) => {
    const seen = answer(200, { data: { ok: true } });
    await expect(call()).resolves.toEqual({ ok: true });
    expect(seen).toEqual([{ method, url }]);
  });

  it("encodes path segments", async () => {
    const seen = answer(200, { data: null });
    await workload.getWorkload("a b", "cloneset", "x/y");
    expect(seen[0].url).toBe("/api/v1/workload/a%20b/cloneset/x%2Fy");
  });
});

describe("errors keep code, message and trace id", () => {
  it("turns the error body into an ApiError", async () => {
    answer(409, { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", message: "rollout demo/shop is not waiting for approval", code: "CONFLICT" });
    const err = await rollout.approveRollout("demo", "shop").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: "CONFLICT", traceId: "4bf92f3577b34da6a3ce929d0e0e4736", message: "rollout demo/shop is not waiting for approval" });
  });
  it("reports a body that is not JSON with the HTTP status", async () => {
    answer(502, "Bad Gateway");
    await expect(listNamespaces()).rejects.toMatchObject({ status: 502, code: "HTTP_502", message: "Bad Gateway" });
  });
  it("reports a network failure", async () => {
    setFetch(async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(listNamespaces()).rejects.toMatchObject({ status: 0, code: "NETWORK_ERROR" });
  });
  it("refuses a 200 without the data envelope", async () => {
    answer(200, { items: [] });
    await expect(listNamespaces()).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });
});

interface Sent extends Seen {
  body?: string;
  contentType?: string;
}

/** Like answer, also recording the JSON body and its content type. */
function answerWithBody(status: number, body: unknown, seen: Sent[] = []) {
  setFetch(async (input, init) => {
    seen.push({
      method: init?.method ?? "GET",
      url: String(input),
      body: init?.body === undefined ? undefined : String(init.body),
      contentType: new Headers(init?.headers).get("Content-Type") ?? undefined,
    });
    return new Response(JSON.stringify(body), { status });
  });
  return seen;
}

describe("set image", () => {
  const preview = {
    dryRun: true,
    changed: true,
    message: "would set main=nginx:1.28",
    containers: [{ name: "main", from: "nginx:1.27", to: "nginx:1.28" }],
    diff: [{ path: "spec.template.spec.containers[main].image", from: "nginx:1.27", to: "nginx:1.28" }],
    rollout: {
      name: "shop",
      startsRelease: true,
      steps: [
        { index: 1, replicas: "1", pause: "manual", waitsForPerson: true },
        { index: 2, replicas: "50%", traffic: "50%", pause: "60s", waitsForPerson: false },
        { index: 3, replicas: "100%", pause: "", waitsForPerson: false },
      ],
    },
  };
  it.each([
    [true, "/api/v1/workload/demo/cloneset/shop/image?dryRun=true"],
    [false, "/api/v1/workload/demo/cloneset/shop/image?dryRun=false"],
  ])("dryRun=%s posts the images as JSON", async (dryRun, url) => {
    const seen = answerWithBody(200, { data: preview });
    await expect(workload.setWorkloadImage("demo", "cloneset", "shop", { main: "nginx:1.28", "side car": "envoy:1" }, dryRun)).resolves.toEqual(preview);
    expect(seen).toEqual([{ method: "POST", url, body: JSON.stringify({ images: { main: "nginx:1.28", "side car": "envoy:1" } }), contentType: "application/json" }]);
  });
  it("encodes the path", async () => {
    const seen = answerWithBody(200, { data: preview });
    await workload.setWorkloadImage("a b", "cloneset", "x/y", { main: "nginx" }, true);
    expect(seen[0].url).toBe("/api/v1/workload/a%20b/cloneset/x%2Fy/image?dryRun=true");
  });
  it("keeps the server's refusal", async () => {
    answerWithBody(422, { trace_id: "t1", message: "image must not be empty", code: "INVALID" });
    await expect(workload.setWorkloadImage("demo", "cloneset", "shop", { main: "" }, true)).rejects.toMatchObject({ status: 422, code: "INVALID", traceId: "t1" });
  });
});

describe("the Rollout governing a workload", () => {
  it("is null when none does", async () => {
    answer(200, { data: null });
    await expect(workload.getWorkloadRollout("demo", "cloneset", "catalog")).resolves.toBeNull();
  });
  it("is the Rollout's name and status", async () => {
    const data = { name: "shop", status: { namespace: "demo", name: "shop", waitingForApproval: true } };
    answer(200, { data });
    await expect(workload.getWorkloadRollout("demo", "cloneset", "shop")).resolves.toEqual(data);
  });
});

describe("undo and restart previews", () => {
  it("undo preview carries the target revision's images, the diff and the release", async () => {
    const data = {
      workload: { type: "cloneset", apiVersion: "apps.kruise.io/v1alpha1", kind: "CloneSet", name: "shop" },
      fromRevision: 3,
      toRevision: 2,
      toName: "shop-6d5f",
      changed: true,
      dryRun: true,
      message: "would roll back to revision 2",
      images: { main: "nginx:1.27" },
      diff: [{ path: "spec.template.spec.containers[main].image", from: "nginx:1.28", to: "nginx:1.27" }],
      startsRelease: true,
      steps: [{ index: 1, replicas: "1", pause: "manual", waitsForPerson: true }],
    };
    const seen = answer(200, { data });
    await expect(rollout.undoRollout("demo", "shop", 2, true)).resolves.toEqual(data);
    expect(seen).toEqual([{ method: "POST", url: "/api/v1/rollout/undo/demo/shop?revision=2&dryRun=true" }]);
  });
});

describe("the inbox", () => {
  it("approveMany posts the items and returns one result per item", async () => {
    const items = [
      { namespace: "demo", name: "shop", step: 1 },
      { namespace: "prod", name: "web", step: 2 },
      { namespace: "prod", name: "api", step: 1 },
    ];
    const results = [
      { ...items[0], changed: true, code: "OK", message: "step 1 approved" },
      { ...items[1], changed: false, code: "OK", message: "step 2 was already approved" },
      { ...items[2], changed: false, code: "FORBIDDEN", message: "needs patch rollouts/status" },
    ];
    const seen = answerWithBody(200, { data: results });
    await expect(rollout.approveMany(items)).resolves.toEqual(results);
    expect(seen).toEqual([{ method: "POST", url: "/api/v1/rollout/approve-many", body: JSON.stringify({ items }), contentType: "application/json" }]);
  });
  it("listWaitingRollouts returns the list", async () => {
    const list = [{ namespace: "demo", name: "shop", waitingForApproval: true, currentStepIndex: 1, steps: [{}, {}, {}] }];
    answer(200, { data: list });
    await expect(rollout.listWaitingRollouts()).resolves.toEqual(list);
  });
});

describe("pod logs", () => {
  const log = {
    pod: "shop-x7k2p",
    container: "main",
    containers: ["main", "sidecar"],
    lines: ["2025-01-01T00:00:00.000000000Z starting", "2025-01-01T00:00:01.000000000Z serving on :8080"],
  };
  it("returns the pod, the container read, every container and the lines", async () => {
    const seen = answer(200, { data: log });
    await expect(workload.getPodLog("demo", "cloneset", "shop", "shop-x7k2p", "sidecar", 5000)).resolves.toEqual(log);
    expect(seen).toEqual([{ method: "GET", url: "/api/v1/workload/demo/cloneset/shop/pods/shop-x7k2p/log?container=sidecar&tailLines=5000" }]);
  });
  it("encodes the pod and the container", async () => {
    const seen = answer(200, { data: log });
    await workload.getPodLog("a b", "cloneset", "x/y", "p/q", "side car");
    expect(seen[0].url).toBe("/api/v1/workload/a%20b/cloneset/x%2Fy/pods/p%2Fq/log?container=side+car");
  });
  it("keeps the server's refusal (a container that has not started)", async () => {
    answer(400, { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", message: 'container "main" in pod "shop-x7k2p" is waiting to start: ContainerCreating', code: "BAD_REQUEST" });
    await expect(workload.getPodLog("demo", "cloneset", "shop", "shop-x7k2p")).rejects.toMatchObject({
      status: 400,
      code: "BAD_REQUEST",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      message: 'container "main" in pod "shop-x7k2p" is waiting to start: ContainerCreating',
    });
  });
});

describe("the overview's summary", () => {
  it("returns the counts per type and state, the rollouts and the cluster metrics", async () => {
    const data = {
      namespace: "demo",
      workloads: [
        { type: "cloneset", plural: "clonesets", kind: "CloneSet", total: 3, states: { ready: 2, updating: 1 } },
        { type: "broadcastjob", plural: "broadcastjobs", kind: "BroadcastJob", total: 0, states: {} },
      ],
      rollouts: { total: 2, active: 1, waiting: 1 },
      cluster: { nodes: 3, ready_nodes: 3, cpu_usage: null, memory_usage: null, usage_source: "unavailable", nodes_with_metrics: 0, cpu_requested: "5%", memory_requested: "2%", pod_count: 12, running_pods: 12, pod_capacity: 330 },
    };
    answer(200, { data });
    await expect(getSummary("demo")).resolves.toEqual(data);
  });
  it("keeps null rollouts and cluster (not served, or not allowed)", async () => {
    answer(200, { data: { namespace: "demo", workloads: [], rollouts: null, cluster: null } });
    await expect(getSummary("demo")).resolves.toMatchObject({ rollouts: null, cluster: null });
  });
  it("encodes the namespace and keeps the server's refusal", async () => {
    const seen = answer(400, { trace_id: "t2", message: "namespace \"A B\" is not a DNS-1123 label", code: "BAD_REQUEST" });
    await expect(getSummary("A B")).rejects.toMatchObject({ status: 400, code: "BAD_REQUEST", traceId: "t2" });
    expect(seen[0].url).toBe("/api/v1/summary/A%20B");
  });
});

describe("a page of one type", () => {
  it("returns the compact items with their state, the total and the next page's token", async () => {
    const data = {
      items: [{ apiVersion: "apps.kruise.io/v1alpha1", kind: "CloneSet", metadata: { name: "shop", namespace: "demo" }, spec: { replicas: 2 }, status: { readyReplicas: 2 }, state: "ready" }],
      total: 812,
      continue: "eyJuIjoxfQ",
    };
    answer(200, { data });
    await expect(workload.listWorkloadPage("demo", "cloneset", { limit: 1 })).resolves.toEqual(data);
  });
  it("keeps the server's refusal of a bad parameter", async () => {
    answer(400, { trace_id: "t3", message: 'unknown state "sleepy"', code: "BAD_REQUEST" });
    await expect(workload.listWorkloadPage("demo", "cloneset", { state: "sleepy" })).rejects.toMatchObject({ status: 400, code: "BAD_REQUEST", message: 'unknown state "sleepy"' });
  });
  it("the list without parameters is still the array of full objects", async () => {
    const seen = answer(200, { data: [{ kind: "CloneSet", metadata: { name: "shop" } }] });
    await expect(workload.listWorkloads("demo", "cloneset")).resolves.toEqual([{ kind: "CloneSet", metadata: { name: "shop" } }]);
    expect(seen[0].url).toBe("/api/v1/workload/demo/cloneset");
  });
});

describe("a declared type's action", () => {
  const updated = { apiVersion: "apps.kruise.io/v1alpha1", kind: "SidecarSet", metadata: { name: "log-agent" }, spec: { updateStrategy: { paused: true } } };
  it.each([
    [true, "/api/v1/workload/_cluster/sidecarset/log-agent/action/pause?dryRun=true"],
    [false, "/api/v1/workload/_cluster/sidecarset/log-agent/action/pause"],
  ])("dryRun=%s posts the params as JSON and answers the object", async (dryRun, url) => {
    const seen = answerWithBody(200, { data: updated });
    await expect(workload.runWorkloadAction("_cluster", "sidecarset", "log-agent", "pause", {}, dryRun)).resolves.toEqual(updated);
    expect(seen).toEqual([{ method: "POST", url, body: JSON.stringify({ params: {} }), contentType: "application/json" }]);
  });
  it("sends typed params and encodes the path", async () => {
    const seen = answerWithBody(200, { data: updated });
    await workload.runWorkloadAction("a b", "apps-statefulset", "x/y", "part ition", { partition: 2, note: "n", force: true }, false);
    expect(seen[0].url).toBe("/api/v1/workload/a%20b/apps-statefulset/x%2Fy/action/part%20ition");
    expect(JSON.parse(seen[0].body ?? "")).toEqual({ params: { partition: 2, note: "n", force: true } });
  });
  it.each([
    [400, "BAD_REQUEST", "action partition: bad parameters: partition must be within [0, ∞]"],
    [403, "FORBIDDEN", 'user "alice" may not patch sidecarsets.apps.kruise.io'],
    [422, "INVALID", "action pause: the declaration's expression failed: no such key"],
  ])("keeps the server's refusal (%i %s) with its trace id", async (status, code, message) => {
    answerWithBody(status, { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", message, code });
    await expect(workload.runWorkloadAction("_cluster", "sidecarset", "log-agent", "pause", {}, false)).rejects.toMatchObject({
      status,
      code,
      message,
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    });
  });
});

describe("the registry of types", () => {
  it("keeps source, scope, columns and actions", async () => {
    const types = [
      { type: "cloneset", plural: "clonesets", apiVersion: "apps.kruise.io/v1alpha1", kind: "CloneSet", capabilities: { scalable: true, restartable: true }, source: "builtin", scope: "Namespaced" },
      {
        type: "sidecarset",
        plural: "sidecarsets",
        apiVersion: "apps.kruise.io/v1alpha1",
        kind: "SidecarSet",
        capabilities: { scalable: false, restartable: false },
        source: "declared",
        scope: "Cluster",
        file: "configs/types (built in)/sidecarset.yaml",
        columns: [{ name: "matched", title: "Matched pods", type: "number" }],
        actions: [{ name: "pause", title: "Pause update", patchType: "merge" }],
      },
    ];
    answer(200, { data: types });
    await expect(workload.listWorkloadTypes()).resolves.toEqual(types);
  });
});
