// The API modules are typed from the OpenAPI document's paths (schema.ts): each line marked as an
// expected error below must not compile (tsc --noEmit checks this file with the rest of src, so
// the UI build fails if one ever does); the test itself runs typed calls.
import { afterEach, describe, expect, it } from "vitest";
import { get, post, setFetch } from "./http";
import { getRolloutStatus } from "./rollout";
import { getWorkloadRollout } from "./workload";
import { listClusters } from "./cluster";
import { approveManyAcrossClusters, getFleetInbox } from "./fleet";
import type { RolloutStatus, WorkloadRollout } from "./types";
import type { Cluster, FleetSummary } from "./fleetTypes";

afterEach(() => setFetch((...args) => fetch(...args)));

// Never called: only compiled.
export function wrongUses() {
  // @ts-expect-error an answer used as another type
  const status: Promise<string> = getRolloutStatus("demo", "shop");
  // @ts-expect-error the governing Rollout may be null
  const rollout: Promise<WorkloadRollout> = getWorkloadRollout("demo", "cloneset", "shop");
  // @ts-expect-error the fleet's answers are the document's: the inbox is no summary
  const summary: Promise<FleetSummary> = getFleetInbox();
  // @ts-expect-error GET /clusters answers a list
  const clusters: Promise<Cluster> = listClusters();
  // @ts-expect-error an item across clusters names its cluster
  approveManyAcrossClusters([{ namespace: "a", name: "b", step: 1 }]);
  // @ts-expect-error a path the document lacks
  get("/api/v1/rollouts");
  // @ts-expect-error a path variable left out
  get("/api/v1/summary/{namespace}");
  // @ts-expect-error a path variable misspelt
  get("/api/v1/summary/{namespace}", { path: { ns: "demo" } });
  // @ts-expect-error a body field the document lacks
  post("/api/v1/auth/login", { body: { tokn: "x" } });
  // @ts-expect-error a body left out where one is required
  post("/api/v1/rollout/approve-many");
  // @ts-expect-error a query parameter of the wrong type
  post("/api/v1/rollout/promote/{namespace}/{name}", { path: { namespace: "a", name: "b" }, query: { to: "2" } });
  // @ts-expect-error a method the path does not take
  post("/api/v1/namespaces");
  return [status, rollout, summary, clusters];
}

describe("typed calls", () => {
  it("fill the path template, encode the query and resolve to the 200 answer's data", async () => {
    const seen: string[] = [];
    setFetch(async (input) => {
      seen.push(String(input));
      return new Response(JSON.stringify({ data: { name: "shop" } }), { status: 200 });
    });
    const status: RolloutStatus = await get("/api/v1/rollout/status/{namespace}/{name}", { path: { namespace: "a b", name: "x/y" } });
    expect(status).toEqual({ name: "shop" });
    await post("/api/v1/rollout/undo/{namespace}/{name}", { path: { namespace: "demo", name: "shop" }, query: { revision: 2, dryRun: true } });
    expect(seen).toEqual(["/api/v1/rollout/status/a%20b/x%2Fy", "/api/v1/rollout/undo/demo/shop?revision=2&dryRun=true"]);
  });
});
