import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ActionButton, EventsCard } from "./components/common";
import { LogLines, TAIL_CHOICES, DEFAULT_TAIL } from "./components/PodLogs";
import { SignIn } from "./pages/SignIn";
import { permissionOf } from "./auth";
import type { AuthMode, Me, Permission } from "./api/types";

// Server-side renders (no DOM here) that check the names a browser test looks for.

const noop = async () => undefined;
const signIn = (mode: AuthMode) => renderToString(h(SignIn, { mode, signIn: noop, retry: () => undefined, returnTo: "/rollouts/shop?ns=demo" }));

describe("sign-in page", () => {
  it("token mode: a password field and a sign-in button", () => {
    const html = signIn("token");
    expect(html).toMatch(/<input[^>]*type="password"[^>]*data-testid="token-input"|<input[^>]*data-testid="token-input"[^>]*type="password"/);
    expect(html).toContain('data-testid="sign-in"');
    expect(html).toContain("kubectl create token");
    expect(html).not.toContain('data-testid="oidc-sign-in"');
  });
  it("oidc mode: one button", () => {
    const html = signIn("oidc");
    expect(html).toContain('data-testid="oidc-sign-in"');
    expect(html).not.toContain('data-testid="token-input"');
  });
});

describe("action buttons follow /me", () => {
  const button = (permission?: { allowed: boolean; reason?: string }) =>
    renderToString(h(ActionButton, { label: "Restart", title: "Restart shop", command: "kubectl", run: noop, onDone: () => undefined, testId: "restart-button", permission }));
  it("allowed: enabled", () => {
    expect(button({ allowed: true })).not.toContain("disabled");
    expect(button()).not.toContain("disabled");
  });
  it("denied: disabled, the reason on the wrapper the tooltip hangs on", () => {
    const html = button({ allowed: false, reason: "needs patch on clonesets (apps.kruise.io) in namespace demo" });
    expect(html).toMatch(/<button[^>]*disabled/);
    expect(html).toContain('data-reason="needs patch on clonesets (apps.kruise.io) in namespace demo"');
  });
});

describe("events card", () => {
  it("lists the events", () => {
    const html = renderToString(
      h(EventsCard, {
        events: {
          loading: false,
          error: undefined,
          data: [
            { type: "Normal", reason: "ApprovedByDashboard", message: "step 2 approved by alice", count: 1, firstTimestamp: "0001-01-01T00:00:00Z", lastTimestamp: new Date().toISOString(), source: "kruise-dashboard" },
            { type: "Warning", reason: "FailedCreate", message: "quota exceeded", count: 3, firstTimestamp: "2025-01-01T00:00:00Z", lastTimestamp: "0001-01-01T00:00:00Z", source: "cloneset-controller" },
          ],
        },
      }),
    );
    expect(html).toContain('data-testid="events"');
    expect(html).not.toMatch(/\d{5,}d/); // Go zero time is not "738000d ago"
    for (const s of ["ApprovedByDashboard", "step 2 approved by alice", "kruise-dashboard", "FailedCreate", "Warning"]) expect(html).toContain(s);
  });
});

describe("permissionOf", () => {
  const me = {
    user: "alice",
    groups: [],
    mode: "oidc" as const,
    readOnly: false,
    namespace: "demo",
    workloads: { cloneset: { restart: { allowed: false, reason: "needs patch on clonesets (apps.kruise.io) in namespace demo" }, scale: { allowed: true } } },
    rollouts: { approve: { allowed: true } },
  };
  const pending = { allowed: false, reason: "Checking permissions…" };
  const restart = (m: typeof me) => m.workloads.cloneset?.restart;
  it.each([
    ["the answer for this namespace", { me, meNs: "demo", ns: "demo" }, restart, me.workloads.cloneset.restart],
    ["an allowed verb", { me, meNs: "demo", ns: "demo" }, (m: typeof me) => m.workloads.cloneset?.scale, { allowed: true }],
    ["pending while another namespace's answer is held", { me, meNs: "demo", ns: "prod" }, restart, pending],
    ["pending before any answer", { ns: "demo" }, restart, pending],
    ["allowed (server decides) when /me failed", { me, meError: new Error("boom"), meNs: "demo", ns: "demo" }, restart, { allowed: true }],
    ["allowed for a verb /me does not list", { me, meNs: "demo", ns: "demo" }, (m: typeof me) => (m.workloads as Record<string, Record<string, Permission> | undefined>).deployment?.restart, { allowed: true }],
  ])("%s", (_, auth, pick, want) => {
    expect(permissionOf(auth, pick as (me: Me) => Permission | undefined, pending)).toEqual(want);
  });
});

describe("pod log lines", () => {
  it("are a focusable, named log block with the lines in order", () => {
    const html = renderToString(h(LogLines, { lines: ["2025-01-01T00:00:00Z starting", "2025-01-01T00:00:01Z serving on :8080 (a kwok fake container)"], label: "Log of container main of pod shop-x7k2p" }));
    expect(html).toMatch(/^<pre[^>]*tabindex="0"/);
    expect(html).toContain('role="log"');
    expect(html).toContain('aria-label="Log of container main of pod shop-x7k2p"');
    expect(html).toContain('data-testid="log-lines"');
    expect(html).toContain("starting\n2025-01-01T00:00:01Z serving on :8080 (a kwok fake container)");
  });
  it("say so when the log is empty", () => {
    expect(renderToString(h(LogLines, { lines: [], label: "x" }))).toContain("The log is empty.");
  });
  it("offer the server's default and bounds", () => {
    expect(TAIL_CHOICES).toContain(DEFAULT_TAIL);
    expect(Math.min(...TAIL_CHOICES)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...TAIL_CHOICES)).toBeLessThanOrEqual(5000);
  });
});
