import { afterEach, describe, expect, it } from "vitest";
import { ApiError, setFetch } from "./http";
import { getClusterMetrics } from "./cluster";
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
    ["listAllRollouts", () => rollout.listAllRollouts("_all"), "GET", "/api/v1/rollout/list/_all"],
    ["listActiveRollouts", () => rollout.listActiveRollouts("demo"), "GET", "/api/v1/rollout/active/demo"],
    ["promoteRollout", () => rollout.promoteRollout("demo", "shop", 2), "POST", "/api/v1/rollout/promote/demo/shop?to=2"],
    ["setRolloutDisabled", () => rollout.setRolloutDisabled("demo", "shop", true), "POST", "/api/v1/rollout/disable/demo/shop"],
    ["getWorkloadEvents", () => workload.getWorkloadEvents("demo", "cloneset", "shop"), "GET", "/api/v1/workload/demo/cloneset/shop/events"],
    ["getRolloutEvents", () => rollout.getRolloutEvents("demo", "shop"), "GET", "/api/v1/rollout/events/demo/shop"],
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
