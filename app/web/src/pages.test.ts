import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";
import { setFetch } from "./api/http";
import type { CompactWorkload, DeclaredAction, RolloutStatus, RolloutStep, Workload, WorkloadType } from "./api/types";
import { Table } from "antd";
import { ReleaseNote } from "./components/common";
import { fmt, I18n, messages } from "./i18n";
import { ApproveList, Inbox, resultView, type Result, type Row } from "./pages/Inbox";
import { NotFound } from "./pages/NotFound";
import { RolloutStateCell, stepText, WorkloadLink } from "./components/cells";
import { approvePermission, offeredActions, StepTimeline } from "./pages/RolloutDetail";
import { AuthProvider, type Auth } from "./auth";
import {
  ActionPreview,
  DeclaredActionButton,
  findCompact,
  ownerWarning,
  WorkloadSummary,
  ParamInputs,
  paramProblemText,
  rolloutWarning,
  ScaleInputs,
  scalePreview,
  SetImagePreview,
} from "./pages/WorkloadDetail";
import { PodsCard } from "./pages/Overview";
import { rolloutStates, RolloutStates, STATES, type RolloutListState } from "./pages/Rollouts";
import { WorkloadTypesContext } from "./contexts";
import { stateColor } from "./workloadSummary";
import { fieldColumns, loadRows, serverSort, TypeTabLabel } from "./pages/Workloads";
import { approveText, disableText, enableText, notObservedText, pauseText, personSteps, releaseText, resumeText, stepTarget } from "./rolloutSteps";
import served from "./api/workloadTypes.json";

// Server-side renders of the pages' parts: what they say, and what they never say.

const t = messages["en-US"];
/** The text of rendered HTML (tags dropped). */
const text = (html: string) => html.replace(/<[^>]*>/g, "");
const routed = (el: React.ReactElement, path = "/") => renderToString(h(MemoryRouter, { initialEntries: [path] }, el));

const step = (index: number, replicas: RolloutStep["replicas"], manual = true): RolloutStep => ({ index, replicas, traffic: null, pauseSeconds: manual ? null : 30, manual, matches: 0 });

const status = (over: Partial<RolloutStatus> = {}): RolloutStatus => ({
  namespace: "demo",
  name: "shop",
  apiVersion: "rollouts.kruise.io/v1beta1",
  phase: "Progressing",
  message: "",
  active: true,
  release: "progressing",
  progressingReason: "InRolling",
  paused: false,
  disabled: false,
  strategy: "partition",
  steps: [step(1, 1), step(2, "50%"), step(3, "100%")],
  currentStepIndex: 1,
  currentStepState: "StepPaused",
  nextStepIndex: 2,
  waitingForApproval: true,
  autoResumeAt: null,
  stableRevision: "shop-1",
  canaryRevision: "shop-2",
  podTemplateHash: "",
  updatedReplicas: 1,
  updatedReadyReplicas: 1,
  lastUpdateTime: null,
  workload: { type: "cloneset", apiVersion: "apps.kruise.io/v1alpha1", kind: "CloneSet", name: "shop" },
  generation: 1,
  observedGeneration: 1,
  conditions: [],
  ...over,
});

const count = (html: string, s: string) => html.split(s).length - 1;
// Counted in the text, as read: names marked translate="no" are spans inside it.
const textOf = (html: string) => html.replace(/<[^>]+>/g, "");
const textCount = (html: string, s: string) => count(textOf(html), s);
const byTypeOf = (all: WorkloadType[], type: string) => all.find((ty) => ty.type === type)!;

describe("the step timeline", () => {
  it("marks the waiting step, once", () => {
    const html = renderToString(h(StepTimeline, { st: status() }));
    expect(count(html, 'data-testid="waiting-step"')).toBe(1);
    expect(html).toContain(t.stepWaiting);
  });
  it.each([
    ["a step being upgraded", status({ currentStepState: "StepUpgrade", waitingForApproval: false })],
    ["a cancelled release (Healthy, status left at StepPaused)", status({ phase: "Healthy", active: false, progressingReason: "Cancelling", waitingForApproval: false, message: "Rollout progressing has been cancelled" })],
    ["a finished release", status({ phase: "Healthy", active: false, currentStepIndex: 3, currentStepState: "Completed", waitingForApproval: false })],
  ])("never says waiting for approval on %s", (_, st) => {
    const html = renderToString(h(StepTimeline, { st }));
    expect(html).not.toContain('data-testid="waiting-step"');
    expect(html).not.toContain(t.stepWaiting);
    expect(html).not.toContain(t.waitingApproval);
  });
  it("a manual last step at 100% is not shown as a wait", () => {
    const html = renderToString(h(StepTimeline, { st: status() }));
    expect(count(html, `${t.pause}: ${t.manual}`)).toBe(2);
    expect(html).toContain(t.goesOn);
  });
});

describe("the rollout lists", () => {
  it("show the waiting tag only when the status says so", () => {
    expect(routed(h(RolloutStateCell, { r: status() }))).toContain(t.waitingApproval);
    expect(routed(h(RolloutStateCell, { r: status({ waitingForApproval: false }) }))).not.toContain(t.waitingApproval);
  });
  it("link the workload to its page", () => {
    expect(routed(h(WorkloadLink, { r: status(), ns: "demo" }))).toContain('href="/workloads/cloneset/shop?ns=demo"');
    expect(routed(h(WorkloadLink, { r: status({ workload: { type: "", apiVersion: "apps/v1", kind: "StatefulSet", name: "db" } }), ns: "demo" }))).not.toContain("href");
  });
});

describe("steps", () => {
  it("personSteps: manual steps wait, except a last one at 100%", () => {
    expect(personSteps(status())).toEqual([
      { index: 1, waitsForPerson: true },
      { index: 2, waitsForPerson: true },
      { index: 3, waitsForPerson: false },
    ]);
    expect(personSteps(status({ steps: [step(1, 1, false), step(2, "100%", false)] })).every((s) => !s.waitsForPerson)).toBe(true);
  });
  it.each([
    [1, undefined, 1],
    ["3", undefined, 3],
    ["50%", 5, 3],
    ["20%", 4, 1],
    ["100%", 4, 4],
    ["50%", undefined, undefined],
    [null, 4, undefined],
  ])("stepTarget(%j, %j) is %j", (replicas, total, want) => {
    expect(stepTarget(replicas as RolloutStep["replicas"], total)).toBe(want);
  });
});

describe("the release a preview announces", () => {
  const steps = [
    { index: 1, replicas: "1", pause: "manual", waitsForPerson: true },
    { index: 2, replicas: "50%", traffic: "50%", pause: "60s", waitsForPerson: false },
    { index: 3, replicas: "100%", pause: "", waitsForPerson: false },
  ];
  it("names the Rollout and the steps that wait for a person", () => {
    const html = renderToString(h(ReleaseNote, { rollout: "shop", startsRelease: true, steps }));
    expect(html).toContain('data-testid="starts-release"');
    expect(text(html)).toContain("This starts a new release under Rollout shop");
    expect(html).toContain('Rollout <span translate="no">shop</span>'); // the name is marked as a name
    expect(text(html)).toContain("approval at step 1.");
    expect(html).toContain('data-testid="release-steps"');
    expect(html).toContain("pauses 60s");
    expect(count(html, 'data-testid="step-waits-for-person"')).toBe(1);
  });
  it("says so when no release starts", () => {
    const html = renderToString(h(ReleaseNote, { rollout: "shop", startsRelease: false, steps: [] }));
    expect(html).toContain('data-testid="no-release"');
    expect(html).not.toContain("starts a new release");
  });
});

describe("the workload page's warnings about its Rollout", () => {
  const governed = (over: Partial<RolloutStatus> = {}) => ({ data: { name: "shop", status: status(over) }, error: undefined, loading: false });
  it("restart and set image start a release that waits at the manual steps", () => {
    expect(rolloutWarning(t, "restart", governed())).toBe(
      "Rollout shop governs this workload: a restart changes the pod template, so it starts a new release under the Rollout (or replaces the release in progress). Its releases wait for a person's approval at step 1, 2.",
    );
    expect(rolloutWarning(t, "setImage", governed())).toMatch(/^Rollout shop governs this workload: a new image starts a new release/);
  });
  it("scale: warned only of a release in progress (the preview line says a Rollout does not hold it)", () => {
    expect(rolloutWarning(t, "scale", governed())).toBe("A release under Rollout shop is in progress (step 1/3): scaling changes how many pods its steps update.");
    expect(rolloutWarning(t, "scale", governed({ active: false, phase: "Healthy", release: "completed" }))).toBeUndefined();
    expect(rolloutWarning(t, "scale", governed({ disabled: true }))).toBeUndefined();
  });
  it("a disabled Rollout starts nothing", () => {
    expect(rolloutWarning(t, "restart", governed({ disabled: true }))).toMatch(/is disabled/);
  });
  it("nothing when no Rollout governs it; said when it cannot be told", () => {
    expect(rolloutWarning(t, "restart", { data: null, error: undefined, loading: false })).toBeUndefined();
    expect(rolloutWarning(t, "restart", { data: undefined, error: new Error("boom"), loading: false })).toBe(`${t.rolloutUnknown} boom`);
    expect(rolloutWarning(t, "restart", { data: undefined, error: undefined, loading: true })).toBe(t.rolloutChecking);
  });
});

describe("pages", () => {
  it("the 404 page has one h1 and a way back to the overview", () => {
    const html = routed(h(NotFound, { ns: "demo" }), "/no/such/page");
    expect(count(html, "<h1")).toBe(1);
    expect(html).toContain(t.notFoundTitle);
    expect(html).toContain("/no/such/page");
    expect(html).toContain('href="/?ns=demo"');
  });
  it("the inbox has one h1, its title", () => {
    const html = routed(h(Inbox), "/inbox");
    expect(count(html, "<h1")).toBe(1);
    expect(html).toContain(t.inbox);
  });
});

describe("the workloads list asks the server", () => {
  afterEach(() => setFetch((...args) => fetch(...args)));
  it.each([
    ["name", false, "name"],
    ["name", true, "-name"],
    // Ages: youngest first when ascending, as the column always read.
    ["age", false, "-created"],
    ["age", true, "created"],
    ["replicas", false, undefined],
    [null, false, undefined],
  ] as const)("sort=%s desc=%s is the server's %s", (sort, desc, want) => {
    expect(serverSort(sort, desc)).toBe(want);
  });

  it("one request for up to 1000 rows; pages followed by their token beyond", async () => {
    const urls: string[] = [];
    const item = (name: string) => ({ kind: "CloneSet", metadata: { name }, spec: {}, state: "ready" });
    setFetch(async (input) => {
      const u = new URL(String(input), "http://x");
      urls.push(u.pathname + u.search);
      const limit = Number(u.searchParams.get("limit"));
      const from = Number(u.searchParams.get("continue") ?? 0);
      const items = Array.from({ length: Math.min(limit, 1500 - from) }, (_, i) => item(`w${from + i}`));
      const next = from + items.length < 1500 ? String(from + items.length) : "";
      return new Response(JSON.stringify({ data: { items, total: 1500, continue: next } }));
    });
    const first = await loadRows("demo", "cloneset", { q: "w", sort: "-created" }, 200);
    expect(first).toMatchObject({ total: 1500, continue: "200", query: JSON.stringify({ q: "w", sort: "-created" }) });
    expect(first.items).toHaveLength(200);
    const many = await loadRows("demo", "cloneset", { q: "w", sort: "-created" }, 1200);
    expect(many.items.map((w) => w.metadata.name).slice(998, 1001)).toEqual(["w998", "w999", "w1000"]);
    expect(many).toMatchObject({ continue: "1200" });
    expect(urls).toEqual([
      "/api/v1/workload/demo/cloneset?view=compact&q=w&sort=-created&limit=200",
      "/api/v1/workload/demo/cloneset?view=compact&q=w&sort=-created&limit=1000",
      "/api/v1/workload/demo/cloneset?view=compact&q=w&sort=-created&limit=200&continue=1000",
    ]);
  });
});

describe("a Go kind nobody here has seen, drawn from GET /workload-types alone", () => {
  // What app/extension_test.go's seventh kind answers: nothing about it is written in the UI.
  const united: WorkloadType = {
    type: "uniteddeployment",
    plural: "uniteddeployments",
    apiVersion: "apps.kruise.io/v1alpha1",
    kind: "UnitedDeployment",
    title: "UnitedDeployment",
    capabilities: { scalable: true, restartable: false, imageSettable: false },
    source: "builtin",
    scope: "Namespaced",
    columns: [
      { name: "replicas", title: "Replicas", titles: { "zh-CN": "副本" }, type: "number" },
      { name: "subsets", title: "Subsets", titles: { "zh-CN": "子集" } },
    ],
    states: ["ready", "updating"],
    commands: { resource: "uniteddeployments.apps.kruise.io", scale: "kubectl scale uniteddeployments.apps.kruise.io/{name} -n {namespace} --replicas={replicas}" },
  };
  const item: CompactWorkload = {
    apiVersion: "apps.kruise.io/v1alpha1",
    kind: "UnitedDeployment",
    metadata: { name: "united", uid: "u", resourceVersion: "1", creationTimestamp: null },
    state: "updating",
    columns: { replicas: 2, subsets: "zone-a" },
  };
  it("its columns, titled in the locale, its state and its values", () => {
    const zh = messages["zh-CN"];
    expect(fieldColumns(united, zh, (f) => f, () => null).map((c) => c.title)).toEqual(["副本", "子集"]);
    const html = routed(h(WorkloadSummary, { w: item, info: united, compact: { data: item, error: undefined }, governing: { data: null, error: undefined }, ns: "demo" }));
    expect(html).toContain(t.state_updating);
    expect(html).toMatch(/data-testid="col:replicas"[^>]*>2</);
    expect(html).toMatch(/data-testid="col:subsets"[^>]*>zone-a</);
  });
});

describe("a declared type on the pages (driven by GET /workload-types alone)", () => {
  const sidecarset: WorkloadType = {
    type: "sidecarset",
    plural: "sidecarsets",
    apiVersion: "apps.kruise.io/v1alpha1",
    kind: "SidecarSet",
    title: "SidecarSet",
    capabilities: { scalable: false, restartable: false, imageSettable: false },
    source: "declared",
    scope: "Cluster",
    file: "configs/types (built in)/sidecarset.yaml",
    origin: "shipped",
    fileName: "sidecarset.yaml",
    columns: [
      { name: "matched", title: "Matched pods", type: "number" },
      { name: "sidecars", title: "Sidecars" },
      { name: "since", title: "Since", type: "time" },
    ],
    states: ["ready", "paused"],
    commands: { resource: "sidecarsets.apps.kruise.io", delete: "kubectl delete sidecarsets.apps.kruise.io {name}" },
    actions: [{ name: "pause", title: "Pause update", patchType: "merge", command: "kubectl patch sidecarsets.apps.kruise.io {name} --type merge -p '{patch}'" }],
  };
  const item: CompactWorkload = {
    apiVersion: "apps.kruise.io/v1alpha1",
    kind: "SidecarSet",
    metadata: { name: "log-agent", uid: "u", resourceVersion: "1", creationTimestamp: new Date(Date.now() - 3 * 60000).toISOString() },
    spec: {},
    status: {},
    state: "paused",
    columns: { matched: 12, sidecars: "log=busybox:1.36", since: new Date(Date.now() - 5 * 60000).toISOString() },
  };

  it("the list's columns are the declared ones with the server's values: a number right-aligned, a time as an age", () => {
    const columns = fieldColumns(sidecarset, t, (f) => f, () => null);
    expect(columns.map((c) => c.title)).toEqual(["Matched pods", "Sidecars", "Since"]);
    const html = renderToString(h(Table<CompactWorkload>, { columns, dataSource: [item], rowKey: (w: CompactWorkload) => w.metadata.name, pagination: false }));
    expect(html).toMatch(/<td[^>]*text-align:right[^>]*><span data-testid="cell-col:matched"[^>]*>12</);
    expect(html).toContain("log=busybox:1.36");
    expect(html).toMatch(/<time[^>]*>5m<\/time>/);
    // A built-in type's the same way, in the locale.
    const cloneset = (served as WorkloadType[]).find((ty) => ty.type === "cloneset")!;
    expect(fieldColumns(cloneset, t, (f) => f, () => null).map((c) => c.title)).toEqual([t.replicas, t.ready, t.upToDate, t.updateRevision]);
    const zh = messages["zh-CN"];
    expect(fieldColumns(cloneset, zh, (f) => f, () => null).map((c) => c.title)).toEqual([zh.replicas, zh.ready, zh.upToDate, zh.updateRevision]);
  });

  it("the tab of a cluster-scoped type says so", () => {
    const html = renderToString(h(TypeTabLabel, { ty: sidecarset, all: [sidecarset] }));
    expect(html).toContain("SidecarSet");
    expect(html).toContain(t.clusterScoped);
    expect(renderToString(h(TypeTabLabel, { ty: { ...sidecarset, scope: "Namespaced" }, all: [] }))).not.toContain(t.clusterScoped);
  });

  it("the summary shows the server's state and columns, the scope and the declaration", () => {
    const w: Workload = { ...item, metadata: { ...item.metadata } };
    const html = routed(h(WorkloadSummary, { w, info: sidecarset, compact: { data: item, error: undefined }, governing: { data: null, error: undefined }, ns: "demo" }));
    expect(html).toContain(t.state_paused);
    expect(html).toMatch(/data-testid="col:matched"[^>]*>12</);
    expect(html).toContain("log=busybox:1.36");
    expect(html).toContain(t.scopeCluster);
    // Where it was declared, in words: never the server's path.
    expect(textOf(html)).toContain(fmt(t.originShipped, { file: "sidecarset.yaml" }));
    expect(html).not.toContain("configs/types");
    const folder = routed(h(WorkloadSummary, { w, info: { ...sidecarset, origin: "folder", file: "/etc/kd/types/sidecarset.yaml" }, compact: { data: item, error: undefined }, governing: { data: null, error: undefined }, ns: "demo" }));
    expect(textOf(folder)).toContain(fmt(t.originFolder, { file: "sidecarset.yaml" }));
    expect(folder).not.toContain("/etc/kd");
    const cm = routed(h(WorkloadSummary, { w, info: { ...sidecarset, origin: "configmap", configMap: "kd/team-types", file: "configmap kd/team-types/sidecarset.yaml" }, compact: { data: item, error: undefined }, governing: { data: null, error: undefined }, ns: "demo" }));
    expect(textOf(cm)).toContain(fmt(t.originConfigMap, { configMap: "kd/team-types", file: "sidecarset.yaml" }));
    // No Rollout governs a cluster-scoped object: not asked, not shown.
    expect(html).not.toContain('data-testid="workload-rollout"');
    const loading = routed(h(WorkloadSummary, { w, info: { ...sidecarset, scope: "Namespaced" }, compact: { data: undefined, error: undefined }, governing: { data: null, error: undefined }, ns: "demo" }));
    expect(loading).toContain('data-testid="workload-rollout"');
    expect(loading).toMatch(/data-testid="col:matched"[^>]*>…</);
  });

  const tune: DeclaredAction = {
    name: "tune",
    title: "Tune",
    patchType: "merge",
    command: "kubectl patch x {name} --type merge -p '{patch}'",
    params: [
      { name: "n", title: "Nodes at a time", type: "integer", required: true, min: 1, max: 1000 },
      { name: "note", title: "Note", type: "string" },
      { name: "force", title: "Force", type: "boolean" },
    ],
  };
  it("an action's form: a labelled input per parameter, by type, with its bounds; problems once touched", () => {
    const html = renderToString(h(ParamInputs, { action: tune, values: {}, setValues: () => undefined }));
    expect(html).toMatch(/<label for="param-tune-n">/);
    expect(html).toMatch(/<input[^>]*id="param-tune-n"/);
    expect(html).toContain("required, from 1 to 1000");
    expect(html).toMatch(/<input[^>]*id="param-tune-note"/);
    expect(html).toMatch(/type="checkbox"[^>]*id="param-tune-force"|id="param-tune-force"[^>]*type="checkbox"/);
    expect(html).not.toContain("param-problem-");
    const bad = renderToString(h(ParamInputs, { action: tune, values: { n: 0 }, setValues: () => undefined }));
    expect(bad).toMatch(/data-testid="param-problem-n"[^>]*>Nodes at a time: from 1 to 1000</);
    expect(paramProblemText(t, tune.params![0], null)).toBe("Nodes at a time: required");
    expect(paramProblemText(messages["zh-CN"], tune.params![0], 2000)).toBe("Nodes at a time: 1 到 1000 之间");
  });

  it("the preview of an action is what the server's dry run changes", () => {
    const w: Workload = { apiVersion: "v", kind: "SidecarSet", metadata: { name: "a", uid: "u", resourceVersion: "1", creationTimestamp: null }, spec: { updateStrategy: {} } };
    const dry: Workload = { ...w, metadata: { ...w.metadata, resourceVersion: "2" }, spec: { updateStrategy: { paused: true } } };
    const html = renderToString(h(ActionPreview, { current: w, result: dry, action: sidecarset.actions![0] }));
    expect(html).toContain('data-testid="object-diff"');
    expect(html).toContain("spec.updateStrategy.paused");
    expect(html).toContain(t.objectChanges);
    expect(renderToString(h(ActionPreview, { current: w, result: w, action: sidecarset.actions![0] }))).toContain(t.actionNoChange);
  });

  it("a declared action's button follows /me's action:<name>: disabled with the reason", () => {
    const me = {
      user: "viewer",
      groups: [],
      mode: "token" as const,
      readOnly: false,
      namespace: "demo",
      workloads: { sidecarset: { "action:pause": { allowed: false, reason: 'user "viewer" may not patch sidecarsets.apps.kruise.io' } } },
      rollouts: {},
    };
    const auth: Auth = { mode: "token", ns: "demo", me, meNs: "demo", signedOut: false, signIn: async () => undefined, signOut: async () => undefined, refresh: () => undefined };
    const button = (a: Auth) =>
      renderToString(
        h(AuthProvider, { value: a }, h(DeclaredActionButton, { info: sidecarset, ns: "demo", apiNs: "_cluster", name: "log-agent", w: item, action: sidecarset.actions![0], onDone: () => undefined })),
      );
    const html = button(auth);
    expect(html).toMatch(/<button[^>]*data-testid="action-pause"[^>]*disabled|<button[^>]*disabled[^>]*data-testid="action-pause"/);
    expect(html).toContain('data-reason="user &quot;viewer&quot; may not patch sidecarsets.apps.kruise.io"');
    expect(html).toContain("Pause update");
    const allowed = button({ ...auth, me: { ...me, workloads: { sidecarset: { "action:pause": { allowed: true } } } } });
    expect(allowed).not.toContain("disabled");
  });

  it("findCompact reads the object's columns from the page, under _cluster for a cluster-scoped type", async () => {
    const urls: string[] = [];
    setFetch(async (input) => {
      urls.push(String(input));
      const items = [{ ...item, metadata: { name: "log-agent-2" } }, item];
      return new Response(JSON.stringify({ data: { items, total: 2, continue: "" } }));
    });
    await expect(findCompact("_cluster", "sidecarset", "log-agent")).resolves.toMatchObject({ columns: { matched: 12 }, state: "paused" });
    await expect(findCompact("_cluster", "sidecarset", "nope")).resolves.toBeNull();
    expect(urls[0]).toBe("/api/v1/workload/_cluster/sidecarset?view=compact&q=log-agent&limit=1000");
    setFetch((...args) => fetch(...args));
  });
});

// Issue 18: nothing false on any screen.

/** The status the controller (v0.6) leaves after a rollback cancelled the release at step 1 of 2. */
const cancelled = status({
  phase: "Healthy",
  active: false,
  release: "cancelled",
  progressingReason: "Completed",
  message: "Rollout progressing has been cancelled",
  steps: [step(1, 1), step(2, "100%")],
  currentStepIndex: 1,
  currentStepState: "StepPaused",
  waitingForApproval: false,
});

describe("a release cancelled by a rollback reads as such, not as a step waiting", () => {
  it("the step and the state cells say no release is in progress, and why", () => {
    expect(stepText(cancelled)).toBe("-");
    const html = routed(h(RolloutStateCell, { r: cancelled }));
    expect(html).toContain(t.release_cancelled);
    expect(t.release_cancelled).toBe("Rolled back / cancelled — no release in progress");
    expect(html).not.toContain("StepPaused");
    expect(html).not.toContain(t.waitingApproval);
    expect(renderToString(h(StepTimeline, { st: cancelled }))).not.toContain("StepPaused");
  });
  it("while a release is in progress, the step and its state", () => {
    expect(stepText(status())).toBe("1/3");
    expect(routed(h(RolloutStateCell, { r: status() }))).toContain("StepPaused");
  });
  it("every outcome has words in both languages", () => {
    const zh = messages["zh-CN"];
    for (const release of ["none", "progressing", "paused", "finalising", "cancelling", "completed", "cancelled", "disabling", "disabled", "terminating"] as const) {
      expect(releaseText(t, { release, active: false })).not.toBe("");
      expect(releaseText(zh, { release, active: false })).not.toBe(releaseText(t, { release, active: false }));
    }
  });
  it("the controller not having acted on the latest spec is said", () => {
    expect(notObservedText(t, { generation: 3, observedGeneration: 2 })).toBe(
      "The controller has not yet acted on the latest change to this Rollout (generation 3, observed 2).",
    );
    expect(notObservedText(t, { generation: 3, observedGeneration: 3 })).toBeUndefined();
  });
});

describe("an inbox result belongs to the step it was for", () => {
  const approved: Result = { namespace: "demo", name: "shop", step: 1, changed: true, code: "OK", message: "step 1 approved", revision: "shop-2" };
  const row = (over: Partial<Row>): Row => ({ ...status(), ...over });
  it("still at that step: the result", () => {
    expect(resultView(t, row({ gone: true, currentStepState: "StepReady", waitingForApproval: false }), approved)).toEqual({ result: { text: "step 1 approved", current: true } });
  });
  it("back at step 2, waiting again: where it is now first; step 1's result only as step 1's", () => {
    const view = resultView(t, row({ currentStepIndex: 2 }), approved);
    expect(view.now).toBe("now step 2/3: waiting for approval");
    expect(view.result).toEqual({ text: "step 1 approved", current: false });
  });
  it("moved on and upgrading, or the release over: said so", () => {
    expect(resultView(t, row({ gone: true, currentStepIndex: 2, currentStepState: "StepUpgrade", waitingForApproval: false }), approved).now).toBe("now step 2/3: StepUpgrade");
    expect(resultView(t, { ...cancelled, gone: true }, approved).now).toBe(`now: ${t.release_cancelled}`);
  });
  it("the same step number of another release is not that result's step", () => {
    expect(resultView(t, row({ canaryRevision: "shop-3" }), approved).result?.current).toBe(false);
  });
  it("a paused Rollout waits for resume first", () => {
    expect(resultView(t, row({ paused: true, progressingReason: "Paused", release: "paused" }), undefined)).toEqual({ paused: true });
    expect(resultView(t, row({}), undefined)).toEqual({ paused: false });
  });
});

describe("the Rollout page offers what means something in its state", () => {
  const finished = status({ phase: "Healthy", active: false, release: "completed", currentStepIndex: 3, currentStepState: "Completed", waitingForApproval: false });
  it("a finished Rollout: no pause or approve; restart, disable, and undo when there is a revision to go back to", () => {
    expect(offeredActions(finished, true)).toEqual({ approve: false, pause: false, resume: false, undo: true, restart: true, enable: false, disable: true });
    expect(offeredActions(finished, false).undo).toBe(false);
    expect(offeredActions({ ...finished, paused: true }, true).resume).toBe(true);
  });
  it("a step waiting: one Approve (no promote), pause, undo, disable; no restart on top of the release", () => {
    const offered = offeredActions(status(), true);
    expect(offered).toEqual({ approve: true, pause: true, resume: false, undo: true, restart: false, enable: false, disable: true });
    expect(Object.keys(offered)).not.toContain("promote");
  });
  it("a paused Rollout: Approve disabled with resume first", () => {
    const allowed = { allowed: true };
    expect(approvePermission(t, status({ paused: true }), allowed)).toEqual({ allowed: false, reason: t.resumeFirst });
    expect(t.resumeFirst).toMatch(/^The Rollout is paused: resume it first/);
    expect(approvePermission(t, status(), allowed)).toBe(allowed);
  });
  it("a disabled Rollout: enable; a Rollout being deleted: nothing", () => {
    expect(offeredActions(status({ active: false, disabled: true, release: "disabled", waitingForApproval: false }), true)).toMatchObject({ enable: true, disable: false, pause: false });
    expect(Object.values(offeredActions(status({ release: "terminating" }), true)).some(Boolean)).toBe(false);
  });
});

describe("each Rollout dialog says in one line what happens to which pods, naming the step", () => {
  const zh = messages["zh-CN"];
  it("approve: the next step from the Rollout's steps and the workload's replicas", () => {
    expect(approveText(t, status(), 4)).toBe("Approving step 1 starts step 2 of 3: 50% = 2 of 4 pods on the new revision; step 2 then waits for approval.");
    expect(approveText(t, status({ currentStepIndex: 2 }), 4)).toBe("Approving step 2 starts step 3 of 3: 100% = 4 of 4 pods on the new revision; step 3 then finishes the release.");
    expect(approveText(t, status({ steps: [step(1, 1), step(2, 3, false)] }), 4)).toBe(
      "Approving step 1 starts step 2 of 2: 3 of 4 pods on the new revision; step 2 then pauses 30s and goes on by itself.",
    );
    expect(approveText(t, status({ steps: [step(1, 1), { ...step(2, "50%"), traffic: "20%" }, step(3, "100%")] }), undefined)).toBe(
      "Approving step 1 starts step 2 of 3: 50% of the pods on the new revision, with 20% of the traffic; step 2 then waits for approval.",
    );
    expect(approveText(t, status({ steps: [step(1, 1), step(2, "80%")], currentStepIndex: 2 }), 5)).toBe(
      "Approving step 2, the last of 2, finishes the release: the workload's own update strategy then updates the remaining pods (all 5 on the new revision).",
    );
    expect(approveText(zh, status(), 4)).toBe("审批第 1 步将开始第 2 步（共 3 步）：50% = 4 个 Pod 中的 2 个为新版本；之后第 2 步等待审批。");
  });
  it("the inbox's approve: the same line for each Rollout chosen, its replicas counted when the status brings them", () => {
    const pods = { stepTarget: 1, replicas: 4, canary: { total: 1, ready: 1 }, stable: { total: 3, ready: 3 }, items: [] };
    const rows: Row[] = [status({ pods }), status({ name: "cart", currentStepIndex: 2 }), status({ name: "gone", pods: { ...pods, replicas: 0 } })];
    for (const m of [t, zh]) {
      const html = routed(h(I18n.Provider, { value: m }, h(ApproveList, { rows })));
      const lines = [...html.matchAll(/data-testid="approve-summary"[^>]*>(.*?)<\/div>/g)].map((x) => textOf(x[1]));
      expect(lines).toEqual([approveText(m, rows[0], 4), approveText(m, rows[1], undefined), approveText(m, rows[2], undefined)]);
    }
    const en = textOf(routed(h(ApproveList, { rows })));
    expect(en).toContain("Approving step 1 starts step 2 of 3: 50% = 2 of 4 pods on the new revision; step 2 then waits for approval.");
    expect(en).toContain("Approving step 2 starts step 3 of 3: 100% of the pods on the new revision; step 3 then finishes the release.");
    expect(en).toContain("Approving step 1 starts step 2 of 3: 50% of the pods on the new revision; step 2 then waits for approval.");
  });
  it("pause, resume, disable, enable", () => {
    const shop = "CloneSet/shop";
    expect(pauseText(t, status())).toBe("Pausing holds the release at step 1 of 3: the pods already on the new revision (1) stay, and no more are updated until Resume.");
    expect(resumeText(t, status({ paused: true }))).toBe("Resuming lets the release go on; step 1 of 3 still waits for approval after it.");
    expect(resumeText(t, status({ paused: true, active: false, waitingForApproval: false }))).toMatch(/^No release is in progress: resuming clears the pause/);
    expect(disableText(t, status(), 4)).toBe(
      `Disabling ends the release at step 1 of 3: ${shop} goes back to its own update strategy, which updates the remaining pods at once; later image changes go to every pod at once too.`,
    );
    expect(disableText(t, status({ active: false, waitingForApproval: false }), 4)).toBe(
      `After Disable, the next image change of ${shop} goes to all 4 pods at once, by its own update strategy, not through the Rollout's steps.`,
    );
    expect(enableText(t, status({ disabled: true }))).toBe(`After Enable, the next change of ${shop}'s pod template is released through the Rollout's 3 steps, waiting for approval at step 1, 2.`);
    expect(disableText(zh, status({ active: false }), 4)).toContain("全部 4 个 Pod");
  });
});

describe("the scale dialog: a label, the current value, and what the new one does", () => {
  const governing = { name: "shop", status: status({ active: false, release: "completed", waitingForApproval: false }) };
  it("a labelled input, the current replicas, the preview line", () => {
    const html = renderToString(h(ScaleInputs, { current: 4, replicas: 6, setReplicas: () => undefined, preview: scalePreview(t, 4, 6, governing) }));
    expect(html).toMatch(/<label for="scale-replicas">/);
    expect(html).toMatch(/<input[^>]*id="scale-replicas"/);
    expect(textOf(html)).toContain("Current: 4");
    expect(textOf(html)).toContain("4 → 6 pods: 2 added at once; Rollout shop does not hold it (a scale starts no release).");
  });
  it("down, the same, no Rollout, nothing typed", () => {
    expect(scalePreview(t, 4, 1, null)).toBe("4 → 1 pods: 3 removed at once; no Rollout governs this workload.");
    expect(scalePreview(t, 4, 4, null)).toBe("4 → 4 pods: nothing changes; no Rollout governs this workload.");
    expect(scalePreview(t, 4, null, null)).toBeUndefined();
    expect(scalePreview(messages["zh-CN"], 2, 3, governing)).toBe("2 → 3 个 Pod：立即增加 1 个；Rollout shop 不会拦截（扩缩容不会开始发布）。");
  });
});

describe("the set-image preview says what the Rollout does once", () => {
  const plan = (kase: "new" | "restart") => ({
    dryRun: true,
    changed: true,
    message: "preview (nothing changed) — cloneset demo/shop: container main: nginx:1.27 → nginx:1.29. Rollout shop starts a new release: the change is released through the Rollout's 3 steps, waiting for approval at step 1",
    containers: [{ name: "main", from: "nginx:1.27", to: "nginx:1.29" }],
    diff: [{ path: "spec.containers[0].image", from: "nginx:1.27", to: "nginx:1.29" }],
    rollout: {
      name: "shop",
      startsRelease: true,
      case: kase,
      explanation:
        kase === "new"
          ? "Rollout shop starts a new release: the change is released through the Rollout's 3 steps, waiting for approval at step 1"
          : "a release is in progress: Rollout shop restarts it from step 1 with this version, released through the Rollout's 3 steps, waiting for approval at step 1",
      steps: [{ index: 1, replicas: "1", pause: "manual", waitsForPerson: true }],
    },
  });
  it("a new release: one sentence, not four", () => {
    const html = renderToString(h(SetImagePreview, { result: plan("new") }));
    expect(textCount(html, "new release")).toBe(1);
    expect(textCount(html, "approval at step 1")).toBe(1);
    expect(html).not.toContain("preview (nothing changed)");
  });
  it("what the message does not say (the release in progress restarts from step 1) is still said", () => {
    expect(renderToString(h(SetImagePreview, { result: plan("restart") }))).toContain("restarts it from step 1");
  });
});

describe("nothing false on the pages", () => {
  const all = served as WorkloadType[];
  const withTypes = (el: React.ReactElement) => h(WorkloadTypesContext.Provider, { value: all }, el);

  it("the overview's pods are the namespace's, and the card says what it counts: finished pods too, as kubectl get pods -n", () => {
    const html = renderToString(h(PodsCard, { pods: { namespace: "demo", total: 26, running: 23, pending: 0, succeeded: 2, failed: 1, other: 0 } }));
    expect(html.replace(/<[^>]+>/g, "")).toContain(fmt(t.podsIn, { ns: "demo" }));
    expect(html).toMatch(/>26</);
    expect(html).toContain(`23 ${t.running} · 3 ${t.podsFinished}`);
    expect(html).not.toContain(t.podsPending);
    const zh = messages["zh-CN"];
    expect(zh.podsIn).not.toBe(t.podsIn);
    expect(zh.podsFinished).not.toBe(t.podsFinished);
  });

  it("a Rollout's State cell shows exactly the states its filter offers", () => {
    const text = Object.fromEntries(STATES.map((s) => [s, `state:${s}`])) as Record<RolloutListState, string>;
    const rows = [
      status(),
      status({ waitingForApproval: false, currentStepState: "StepUpgrade" }),
      status({ active: false, phase: "Healthy", waitingForApproval: false, currentStepState: "Completed" }),
      status({ active: false, phase: "Healthy", waitingForApproval: false, paused: true, disabled: true }),
    ];
    const shown = new Set<string>();
    for (const r of rows) {
      const html = routed(h(RolloutStates, { r, text }));
      // The controller's step state is the Step column's, not a value the filter could not offer.
      expect(html).not.toMatch(/Step(Paused|Upgrade)|Completed/);
      for (const s of STATES) if (html.includes(`state:${s}`)) shown.add(s);
      expect(rolloutStates(r).every((s) => html.includes(`state:${s}`))).toBe(true);
    }
    expect([...shown].sort()).toEqual([...STATES].sort());
    expect(rolloutStates(status())).toEqual(["waiting", "progressing"]);
  });

  it("the paused Deployment of a release in flight is shown as part of it, not as a hold", () => {
    expect(stateColor("inRelease")).not.toBe(stateColor("paused"));
    expect(t.state_inRelease).toBeTruthy();
    expect(messages["zh-CN"].state_inRelease).toBeTruthy();
    expect(byTypeOf(all, "deployment").states).toContain("inRelease");
  });

  it("a Rollout's workload is named by its type's name, never an ambiguous kind", () => {
    const r = status({ workload: { type: "statefulset", apiVersion: "apps.kruise.io/v1beta1", kind: "StatefulSet", name: "ledger" } });
    expect(routed(withTypes(h(WorkloadLink, { r, ns: "demo" })))).toContain("Advanced StatefulSet/ledger");
    const plain = status({ workload: { type: "apps-statefulset", apiVersion: "apps/v1", kind: "StatefulSet", name: "cache" } });
    expect(routed(withTypes(h(WorkloadLink, { r: plain, ns: "demo" })))).toContain("StatefulSet/cache");
  });

  const subset: Workload = {
    apiVersion: "apps.kruise.io/v1beta1",
    kind: "StatefulSet",
    metadata: {
      name: "regions-zone-a-x7k2p",
      namespace: "demo",
      uid: "u",
      resourceVersion: "1",
      creationTimestamp: null,
      ownerReferences: [{ apiVersion: "apps.kruise.io/v1alpha1", kind: "UnitedDeployment", name: "regions", uid: "u1", controller: true }],
    },
    spec: {},
    status: {},
  };
  it("an object a controller owns names it, linked, on its page", () => {
    const html = routed(
      withTypes(h(WorkloadSummary, { w: subset, info: byTypeOf(all, "statefulset"), compact: { data: null, error: undefined }, governing: { data: null, error: undefined }, ns: "demo" })),
    );
    expect(html).toContain(t.managedBy);
    expect(html).toMatch(/href="\/workloads\/uniteddeployment\/regions\?ns=demo"[^>]*>UnitedDeployment regions</);
    const own = routed(withTypes(h(WorkloadSummary, { w: { ...subset, metadata: { ...subset.metadata, ownerReferences: [] } }, info: byTypeOf(all, "statefulset"), compact: { data: null, error: undefined }, governing: { data: null, error: undefined }, ns: "demo" })));
    expect(own).not.toContain(t.managedBy);
  });

  it("every dialog on an owned object warns that its owner may undo the change, beside the Rollout's warning", () => {
    const warn = ownerWarning(t, "UnitedDeployment regions");
    const alone = renderToString(h("div", null, warn(undefined)));
    expect(textOf(alone)).toContain(fmt(t.ownerWarning, { owner: "UnitedDeployment regions" }));
    const both = renderToString(h("div", null, warn("Rollout r governs this workload.")));
    expect(both).toContain('data-testid="owner-warning"');
    expect(both).toContain("Rollout r governs this workload.");
    expect(ownerWarning(t, undefined)("x")).toBe("x");
    expect(messages["zh-CN"].ownerWarning).toContain("{owner}");
  });
});
