import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";
import { setFetch } from "./api/http";
import { listClusters } from "./api/cluster";
import { approveManyAcrossClusters, getFleetAttention, getFleetInbox, getFleetSummary } from "./api/fleet";
import { setPathSource } from "./api/clusterScope";
import type { AttentionItem, Cluster, ClusterPart } from "./api/fleetTypes";
import { ClusterStateText, ClusterSwitcher, InboxLabel, switchPath } from "./fleet";
import { FleetContext, WorkloadTypesContext, type Fleet } from "./contexts";
import { ClusterCard } from "./pages/Fleet";
import { loadWaiting } from "./pages/Inbox";
import { AttentionTable, attentionPath, groupByCluster, reasonText } from "./pages/Attention";
import { Favourites } from "./components/Favourites";
import { favourites, type Favourite } from "./favourites";
import served from "./api/workloadTypes.json";
import type { WorkloadType } from "./api/types";
import { MissingClusters } from "./components/ClusterParts";
import { CommandLine } from "./components/CommandLine";
import { forCluster, needsClusterNote } from "./components/commands";
import { I18n, messages, type Messages } from "./i18n";

const t = messages["en-US"];
const text = (html: string) => html.replace(/<[^>]*>/g, "");

const cluster = (name: string, over: Partial<Cluster> = {}): Cluster => ({
  name,
  home: false,
  origin: "secret",
  source: `Secret kd/${name}`,
  context: "",
  state: "ready",
  reachable: true,
  unreachableSince: null,
  lastError: "",
  lastSync: null,
  versions: { kubernetes: "v1.34.2", openkruise: "v1alpha1", rollouts: "v1beta1" },
  refused: "",
  podsCached: true,
  ...over,
});

afterEach(() => {
  setFetch((...args) => fetch(...args));
  setPathSource(() => "/");
});

describe("the fleet's API", () => {
  it("calls the fleet's endpoints unprefixed, whatever the page's cluster", async () => {
    const seen: string[] = [];
    setFetch(async (input, init) => {
      seen.push(`${init?.method} ${String(input)} ${init?.body ?? ""}`.trim());
      return new Response(JSON.stringify({ data: [] }), { status: 200 });
    });
    setPathSource(() => "/c/prod-eu/inbox");
    await listClusters();
    await getFleetInbox();
    await getFleetSummary();
    await getFleetAttention();
    await approveManyAcrossClusters([{ cluster: "b", namespace: "ns", name: "r", step: 2 }], " ");
    expect(seen).toEqual([
      "GET /api/v1/clusters",
      "GET /api/v1/fleet/inbox",
      "GET /api/v1/fleet/summary",
      "GET /api/v1/fleet/attention",
      'POST /api/v1/fleet/approve-many {"items":[{"cluster":"b","namespace":"ns","name":"r","step":2}]}',
    ]);
  });
});

describe("switching cluster", () => {
  it("stays on the same kind of page where it can, else goes to the overview", () => {
    expect(switchPath("/rollouts", "?ns=a", "b")).toBe("/c/b/rollouts");
    expect(switchPath("/c/a/rollouts/shop", "?ns=a", "b")).toBe("/c/b/rollouts");
    expect(switchPath("/c/a/workloads/clonesets/shop", "?ns=a", "b")).toBe("/c/b/workloads?type=clonesets");
    expect(switchPath("/workloads", "?ns=a&type=deployments", "b")).toBe("/c/b/workloads?type=deployments");
    expect(switchPath("/c/a/inbox", "", "")).toBe("/inbox");
    expect(switchPath("/c/a/nowhere", "", "b")).toBe("/c/b/");
    expect(switchPath("/", "?ns=x", "b")).toBe("/c/b/");
  });
});

const fleet = (over: Partial<Fleet>): Fleet => ({ multi: false, staleSince: {}, reload: () => undefined, ...over });
const render = (f: Fleet, el: React.ReactElement, path = "/") =>
  text(renderToString(h(MemoryRouter, { initialEntries: [path] }, h(I18n.Provider, { value: t }, h(FleetContext.Provider, { value: f }, el)))));

describe("the header's cluster", () => {
  it("is not shown with one cluster (the dashboard looks as before)", () => {
    expect(render(fleet({ clusters: [cluster("home", { home: true })] }), h(ClusterSwitcher))).toBe("");
    expect(render(fleet({}), h(ClusterSwitcher))).toBe("");
  });

  it("names the page's cluster with its state, and says when the page shows its cache", () => {
    const clusters = [cluster("home", { home: true }), cluster("prod-eu", { state: "unreachable", reachable: false })];
    setPathSource(() => "/c/prod-eu/rollouts");
    const out = render(fleet({ clusters, multi: true, staleSince: { "prod-eu": new Date(Date.now() - 180000).toISOString() } }), h(ClusterSwitcher), "/c/prod-eu/rollouts");
    expect(out).toContain("prod-eu");
    expect(out).toContain("as of 3m ago");
  });

  it("says a cluster's state: unreachable since when, refused with its reason", () => {
    const since = new Date(Date.now() - 120000).toISOString();
    expect(render(fleet({}), h(ClusterStateText, { c: { state: "unreachable", unreachableSince: since, refused: "" } }))).toBe("unreachable for 2m");
    expect(render(fleet({}), h(ClusterStateText, { c: { state: "refused", unreachableSince: null, refused: "exec credential plugins are not supported" } }))).toBe(
      "refused: exec credential plugins are not supported",
    );
    expect(render(fleet({}), h(ClusterStateText, { c: { state: "syncing", unreachableSince: null, refused: "" } }))).toBe("syncing");
  });

  it("shows the inbox count only when some release waits", () => {
    expect(render(fleet({ waiting: 3 }), h(InboxLabel, { t }))).toContain("3");
    expect(render(fleet({ waiting: 0 }), h(InboxLabel, { t }))).toBe(t.inbox);
    expect(render(fleet({}), h(InboxLabel, { t }))).toBe(t.inbox);
  });
});

describe("the fleet overview", () => {
  const part = {
    name: "prod-eu",
    reachable: true,
    unreachableSince: null,
    lastError: "",
    code: "",
    message: "",
    home: false,
    state: "ready" as const,
    versions: { kubernetes: "v1.34.2", openkruise: "", rollouts: "v1beta1" },
    waiting: 3,
    attention: null,
    rollouts: 10,
    workloads: 42,
  };

  it("says each count's meaning, unknown counts as unknown (never 0), a version not found as such, and links into the cluster", () => {
    const html = renderToString(h(MemoryRouter, null, h(I18n.Provider, { value: t }, h(FleetContext.Provider, { value: fleet({}) }, h(ClusterCard, { c: part })))));
    const out = text(html);
    expect(out).toContain(t.fleetWaiting + "3");
    expect(out).toContain(t.fleetAttentionCount + t.fleetUnknown);
    expect(out).toContain(t.fleetWorkloadsCount + "42");
    expect(out).toContain("OpenKruise" + t.fleetVersionNotFound);
    expect(out).toContain(t.fleetReachable);
    expect(html).toContain('href="/c/prod-eu/rollouts"');
    expect(html).toContain('href="/c/prod-eu/inbox"');
  });

  it("says why a cluster contributed nothing, and since when it is unreachable", () => {
    const since = new Date(Date.now() - 300000).toISOString();
    const c = { ...part, reachable: false, state: "unreachable" as const, unreachableSince: since, lastError: "dial tcp: i/o timeout", code: "CLUSTER_UNREACHABLE", message: "cluster prod-eu is unreachable", waiting: null };
    const out = render(fleet({}), h(ClusterCard, { c }));
    expect(out).toContain("unreachable for 5m");
    expect(out).toContain("Last error: dial tcp: i/o timeout");
    expect(out).toContain(t.fleetNothing + ": unreachable for 5m: CLUSTER_UNREACHABLEcluster prod-eu is unreachable");
  });
});

describe("the inbox across clusters", () => {
  it("reads GET /fleet/inbox with more than one cluster, GET /rollout/waiting with one", async () => {
    const seen: string[] = [];
    setFetch(async (input) => {
      seen.push(String(input));
      const fleetAnswer = { items: [{ cluster: "b", namespace: "ns", name: "r" }], clusters: [{ name: "c", code: "FORBIDDEN", message: "no access" }] };
      return new Response(JSON.stringify({ data: String(input).includes("fleet") ? fleetAnswer : [{ namespace: "ns", name: "r" }] }), { status: 200 });
    });
    const many = await loadWaiting(true);
    const one = await loadWaiting(false);
    expect(seen).toEqual(["/api/v1/fleet/inbox", "/api/v1/rollout/waiting"]);
    expect(many.items[0].cluster).toBe("b");
    expect(many.clusters?.[0].code).toBe("FORBIDDEN");
    expect(one.clusters).toBeUndefined();
  });

  it("lists the clusters missing from the view with why", () => {
    const p = (name: string, over: Partial<ClusterPart> = {}): ClusterPart => ({ name, home: false, reachable: true, unreachableSince: null, lastError: "", code: "", message: "", ...over });
    const out = render(
      fleet({}),
      h(MissingClusters, {
        parts: [
          p("a"),
          p("b", { code: "NOT_SIGNED_IN_HERE", message: "not signed in on b: the API server there does not accept your token" }),
          p("c", { reachable: false, unreachableSince: null, code: "CLUSTER_UNREACHABLE", message: "c does not answer" }),
        ],
      }),
    );
    expect(out).toContain(t.fleetMissing);
    expect(out).not.toContain("a: ");
    expect(out).toContain("b: NOT_SIGNED_IN_HEREnot signed in on b");
    expect(out).toContain("c: CLUSTER_UNREACHABLEc does not answer");
    expect(render(fleet({}), h(MissingClusters, { parts: [p("a")] }))).toBe("");
  });
});

describe("needs attention", () => {
  const item = (cluster: string, over: Partial<AttentionItem> = {}): AttentionItem => ({
    cluster,
    kind: "workload",
    type: "clonesets",
    namespace: "ns",
    name: "w",
    reason: "unready",
    message: "2 of 3 replicas ready",
    since: null,
    ...over,
  });
  it("groups the items by cluster in the parts' order, and links each to its object in its cluster", () => {
    const p = (name: string): ClusterPart => ({ name, home: false, reachable: true, unreachableSince: null, lastError: "", code: "", message: "" });
    const groups = groupByCluster([item("b"), item("a", { kind: "rollout", type: "rollouts", name: "r", reason: "paused" }), item("b", { name: "x" })], [p("a"), p("b"), p("c")]);
    expect(groups.map((g) => [g.name, g.items.length])).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 0],
    ]);
    expect(attentionPath(groups[0].items[0])).toBe("/c/a/rollouts/r?ns=ns");
    expect(attentionPath(groups[1].items[0])).toBe("/c/b/workloads/clonesets/w?ns=ns");
    expect(reasonText(t, "crashloop")).toBe(t.attentionReason_crashloop);
    expect(reasonText(t, "something-new")).toBe("something-new");
  });

  // Both fleet pages get the type's name from GET /workload-types, as the workload pages do.
  const withTypes = (m: Messages, el: React.ReactElement) =>
    text(renderToString(h(MemoryRouter, null, h(I18n.Provider, { value: m }, h(WorkloadTypesContext.Provider, { value: served as WorkloadType[] }, h(FleetContext.Provider, { value: fleet({}) }, el))))));

  it("names an item's type by its title in the page's language, never by its id", () => {
    for (const m of [t, messages["zh-CN"]]) {
      const out = withTypes(m, h(AttentionTable, { items: [item("a", { type: "apps-statefulset", name: "db" }), item("a", { type: "imagepulljob", name: "pull" }), item("a", { type: "not-served", name: "x" })] }));
      expect(out).toContain("StatefulSet");
      expect(out).toContain(m.locale === "zh-CN" ? "镜像预热任务" : "ImagePullJob");
      expect(out).toContain(m.workload);
      expect(out).not.toMatch(/apps-statefulset|imagepulljob|not-served/);
    }
  });

  it("names a favourite's type by its title, never by its id", () => {
    const pinned: Favourite = { cluster: "", kind: "workload", type: "apps-statefulset", namespace: "ns", name: "db" };
    favourites.toggle(pinned);
    try {
      for (const m of [t, messages["zh-CN"]]) {
        const out = withTypes(m, h(Favourites));
        expect(out).toContain("ns/dbStatefulSet");
        expect(out).not.toContain("apps-statefulset");
      }
    } finally {
      favourites.toggle(pinned);
    }
  });
});

describe("kubectl equivalents per cluster", () => {
  const approve = "kubectl-kruise rollout approve rollout/shop -n demo";
  it("name --context for a cluster from a kubeconfig context, nothing for home or other origins", () => {
    expect(forCluster(approve, cluster("prod-eu", { origin: "kubeconfig", context: "kind-prod-eu" }))).toBe("kubectl-kruise --context kind-prod-eu rollout approve rollout/shop -n demo");
    expect(forCluster("kubectl patch x y -p '{}'", cluster("b", { origin: "kubeconfig", context: "my ctx" }))).toBe("kubectl --context 'my ctx' patch x y -p '{}'");
    expect(forCluster(approve, cluster("home", { home: true, origin: "kubeconfig", context: "home" }))).toBe(approve);
    expect(forCluster(approve, cluster("b"))).toBe(approve);
    expect(forCluster(approve, undefined)).toBe(approve);
    expect(needsClusterNote(cluster("b"))).toBe(true);
    expect(needsClusterNote(cluster("b", { origin: "argocd" }))).toBe(true);
    expect(needsClusterNote(cluster("b", { origin: "kubeconfig", context: "b" }))).toBe(false);
    expect(needsClusterNote(cluster("home", { home: true }))).toBe(false);
  });

  it("say which cluster a command must run against when no context can be named", () => {
    const out = render(fleet({}), h(CommandLine, { command: approve, cluster: cluster("prod-eu") }));
    expect(out).toContain("Run against cluster prod-eu (Secret kd/prod-eu)");
    expect(out).toContain(approve);
    expect(render(fleet({}), h(CommandLine, { command: approve }))).toBe(`${t.command}: ${approve}`);
  });
});
