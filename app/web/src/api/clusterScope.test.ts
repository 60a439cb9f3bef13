import { afterEach, describe, expect, it } from "vitest";
import { setFetch } from "./http";
import { clusterFromPath, currentCluster, inCluster, onStale, pathInCluster, setHomeCluster, setPathSource } from "./clusterScope";
import { approveRollout, listAllRollouts } from "./rollout";
import { getAuthConfig, getMe } from "./auth";
import { listWorkloads } from "./workload";
import { setEventSource, watch } from "./watch";
import { FakeEventSource, openFake } from "./fakeEventSource";
import { LiveStreams } from "../live";
import { clusterPath, rolloutPath, workloadPath } from "../components/paths";

/** Records the URLs fetched; answers {"data": []} with the headers given. */
function record(headers: Record<string, string> = {}) {
  const urls: string[] = [];
  setFetch(async (input) => {
    urls.push(String(input));
    return new Response(JSON.stringify({ data: [] }), { status: 200, headers });
  });
  return urls;
}

afterEach(() => {
  setFetch((...args) => fetch(...args));
  setPathSource(() => "/");
  setHomeCluster("");
  setEventSource((url) => new EventSource(url));
});

describe("the cluster of a page", () => {
  it("is the /c/{cluster} segment of the path, home without it", () => {
    expect(clusterFromPath("/c/prod-eu/rollouts/shop")).toBe("prod-eu");
    expect(clusterFromPath("/c/a%40b")).toBe("a@b");
    expect(clusterFromPath("/rollouts/shop")).toBe("");
    expect(clusterFromPath("/cluster/x")).toBe("");
    expect(pathInCluster("/c/prod-eu/rollouts/shop")).toBe("/rollouts/shop");
    expect(pathInCluster("/c/prod-eu")).toBe("/");
    expect(pathInCluster("/inbox")).toBe("/inbox");
  });

  it("prefixes every cluster API call with /clusters/{cluster}, not sign-in nor the fleet's", async () => {
    const urls = record();
    setPathSource(() => "/c/prod-eu/rollouts");
    await listAllRollouts("_all");
    await listWorkloads("demo", "cloneset");
    await getMe("demo");
    await getAuthConfig().catch(() => undefined);
    expect(urls).toEqual([
      "/api/v1/clusters/prod-eu/rollout/list/_all",
      "/api/v1/clusters/prod-eu/workload/demo/cloneset",
      "/api/v1/clusters/prod-eu/me?namespace=demo",
      "/api/v1/auth/config",
    ]);
  });

  it("leaves the home cluster's calls as they are, by no segment or by its name", async () => {
    const urls = record();
    setPathSource(() => "/rollouts");
    await listAllRollouts("_all");
    setHomeCluster("home");
    setPathSource(() => "/c/home/rollouts");
    await listAllRollouts("demo");
    expect(urls).toEqual(["/api/v1/rollout/list/_all", "/api/v1/rollout/list/demo"]);
  });

  it("runs a call for another cluster with inCluster, whatever the page's", async () => {
    const urls = record();
    setPathSource(() => "/c/a/inbox");
    await inCluster("b", () => approveRollout("ns", "r", 2));
    await approveRollout("ns", "r", 1);
    expect(urls).toEqual(["/api/v1/clusters/b/rollout/approve/ns/r?step=2", "/api/v1/clusters/a/rollout/approve/ns/r?step=1"]);
    expect(currentCluster()).toBe("a");
  });

  it("tells whether a cluster's answer came from a stale cache", async () => {
    const seen: [string, string | null][] = [];
    const stop = onStale((c, since) => seen.push([c, since]));
    setPathSource(() => "/c/b/");
    record({ "Cluster-Stale-Since": "2026-12-06T10:00:00Z" });
    await listAllRollouts("_all");
    record();
    await listAllRollouts("_all");
    stop();
    expect(seen).toEqual([
      ["b", "2026-12-06T10:00:00Z"],
      ["b", null],
    ]);
  });

  it("builds links that keep the page's cluster, or name the one given", () => {
    setPathSource(() => "/c/prod-eu/rollouts");
    expect(rolloutPath("ns", "r")).toBe("/c/prod-eu/rollouts/r?ns=ns");
    expect(workloadPath("ns", "clonesets", "w")).toBe("/c/prod-eu/workloads/clonesets/w?ns=ns");
    expect(rolloutPath("ns", "r", "b")).toBe("/c/b/rollouts/r?ns=ns");
    setHomeCluster("home");
    expect(rolloutPath("ns", "r", "home")).toBe("/rollouts/r?ns=ns");
    setPathSource(() => "/workloads");
    expect(clusterPath("/inbox")).toBe("/inbox");
  });

  it("opens the live stream of a non-home cluster with cluster=, one stream per cluster and namespace", () => {
    FakeEventSource.opened = [];
    setEventSource(openFake);
    watch({ namespace: "demo", cluster: "b" }, {});
    watch({ namespace: "demo", cluster: "" }, {});
    const streams = new LiveStreams(10, 10);
    const sub = { change: () => undefined, refresh: () => undefined, live: () => undefined };
    setPathSource(() => "/c/prod-eu/");
    const a = streams.subscribe("demo", sub);
    setPathSource(() => "/");
    const b = streams.subscribe("demo", sub);
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual([
      "/api/v1/watch?namespace=demo&cluster=b",
      "/api/v1/watch?namespace=demo",
      "/api/v1/watch?namespace=demo&cluster=prod-eu",
      "/api/v1/watch?namespace=demo",
    ]);
    expect(streams.namespaces()).toEqual(["prod-eu/demo", "demo"]);
    a();
    b();
  });
});
