import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { EvidenceDetails } from "./components/EvidencePanel";
import { PodGrid } from "./components/PodGrid";
import type { RolloutStatus } from "./api/types";
import type { Evidence } from "./evidence";
import { I18n, messages } from "./i18n";

// Server-side renders of the pod grid and the evidence panel: what the browser test and a screen
// reader find in them.

const inLocale = (locale: keyof typeof messages, el: React.ReactElement) => renderToString(h(I18n.Provider, { value: messages[locale] }, el));

const status = (pods: RolloutStatus["pods"]) =>
  ({ active: true, currentStepIndex: 2, pods }) as RolloutStatus;

describe("the pod grid", () => {
  const pods: RolloutStatus["pods"] = {
    stepTarget: 2,
    replicas: 4,
    canary: { total: 2, ready: 1 },
    stable: { total: 2, ready: 2 },
    items: [
      { name: "shop-new-a", revision: "shop-new", role: "canary", ready: true, state: "ready", batch: "1" },
      { name: "shop-new-b", revision: "shop-new", role: "canary", ready: false, state: "notReady", batch: "2" },
      { name: "shop-old-a", revision: "shop-old", role: "stable", ready: true, state: "terminating" },
      { name: "shop-old-b", revision: "shop-old", role: "stable", ready: true, state: "ready" },
    ],
  };
  it("names each cell by its pod and state, and says the step's target against what is there", () => {
    const html = inLocale("en-US", h(PodGrid, { st: status(pods) }));
    expect(html).toContain("Step 2: 1 of 2 canary pods ready, target 2");
    expect(html).toMatch(/role="img" aria-label="Pod shop-new-b: not ready"[^>]*data-state="notReady"/);
    expect(html).toMatch(/aria-label="Pod shop-old-a: terminating"[^>]*data-state="terminating"/);
    expect(html).toContain("Batch 1");
    expect(html).not.toContain("Other revisions");
  });
  it("says it in Chinese, the names marked", () => {
    const html = inLocale("zh-CN", h(PodGrid, { st: status(pods) }));
    expect(html).toContain("步骤 2：金丝雀 Pod 2 个中 1 个就绪，目标 2 个");
    expect(html).toContain('aria-label="Pod shop-new-a：就绪"');
    expect(html).toContain('<span translate="no">shop-new</span>');
  });
  it("shows nothing without pods or outside a release", () => {
    expect(inLocale("en-US", h(PodGrid, { st: status(undefined) }))).toBe("");
    expect(inLocale("en-US", h(PodGrid, { st: { ...status(pods), active: false } }))).toBe("");
  });
});

describe("the evidence panel", () => {
  const side = { pods: 2, requestRate: null, requests: null, errorRatio: null, latencyP50: null, latencyP95: null, queries: { requests: "", errors: "", latencyP50: "", latencyP95: "" } };
  const unavailable: Evidence = {
    verdict: "unavailable",
    reason: "no Prometheus server is configured (metrics.prometheus.url)",
    template: "",
    windowSeconds: 0,
    thresholds: { minRequests: 0, errorRatioPoints: 0, errorRatioFactor: 0, latencyFactor: 0 },
    canary: side,
    stable: side,
    at: new Date().toISOString(),
  } as unknown as Evidence;
  it("unavailable: neutral, labelled the dashboard's, dashes for what is unknown, no thresholds it did not use", () => {
    const html = inLocale("en-US", h(EvidenceDetails, { ev: unavailable }));
    expect(html).toMatch(/data-testid="evidence-verdict" data-verdict="unavailable" data-stale="false" data-tone="default"/);
    expect(html).toContain("not the controller");
    expect(html).toContain('data-testid="evidence-canary-rate">—<');
    expect(html).toContain('data-testid="evidence-stable-p95">—<');
    expect(html).not.toContain("evidence-thresholds");
    expect(html).not.toContain("ant-tag-success");
  });
  it("not worse and current: green, with the window and thresholds; old: neutral and said to be old", () => {
    const measured = {
      ...side,
      requestRate: 2,
      requests: 600,
      errorRatio: 0.001,
      latencyP50: 0.02,
      latencyP95: 0.08,
    };
    const ok = {
      ...unavailable,
      verdict: "notWorse",
      reason: "the canary's error ratio and p95 latency are within the thresholds of stable's",
      template: "prometheus-http",
      windowSeconds: 300,
      thresholds: { minRequests: 100, errorRatioPoints: 1, errorRatioFactor: 1.5, latencyFactor: 1.5 },
      canary: measured,
      stable: measured,
    } as Evidence;
    const html = inLocale("en-US", h(EvidenceDetails, { ev: ok }));
    expect(html).toMatch(/data-verdict="notWorse" data-stale="false" data-tone="success"/);
    expect(html).toContain('data-testid="evidence-canary-rate">2 req/s<');
    expect(html).toContain('data-testid="evidence-canary-p95">80 ms<');
    expect(html).toContain('data-testid="evidence-canary-errors">0.1%<');
    expect(html).toContain("evidence-thresholds");
    expect(html).toContain("ant-tag-success");
    const old = inLocale("en-US", h(EvidenceDetails, { ev: { ...ok, at: new Date(Date.now() - 10 * 60 * 1000).toISOString() } }));
    expect(old).toMatch(/data-verdict="notWorse" data-stale="true" data-tone="default"/);
    expect(old).toContain('data-testid="evidence-stale"');
    expect(old).not.toContain("ant-tag-success");
  });
  it("says when the series are simulated, and only then", () => {
    expect(inLocale("en-US", h(EvidenceDetails, { ev: unavailable }))).not.toContain("evidence-simulated");
    const html = inLocale("en-US", h(EvidenceDetails, { ev: { ...unavailable, simulated: true } }));
    expect(html).toContain('data-testid="evidence-simulated"');
    expect(html).toContain("traffic simulator");
    expect(inLocale("zh-CN", h(EvidenceDetails, { ev: { ...unavailable, simulated: true } }))).toContain("模拟流量");
  });
});
