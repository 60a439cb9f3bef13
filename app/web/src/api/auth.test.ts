import { afterEach, describe, expect, it } from "vitest";
import { ApiError, isUnauthorized, onUnauthorized, setFetch } from "./http";
import { getAuthConfig, getMe, login, logout, oidcLoginUrl } from "./auth";
import { getWorkloadEvents } from "./workload";
import { getRolloutEvents } from "./rollout";

interface Seen {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
  credentials?: string;
}

/** Replaces fetch with one that records the call (with body and headers) and answers status/body. */
function answer(status: number, body: unknown, seen: Seen[] = []) {
  setFetch(async (input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({
      method: init?.method ?? "GET",
      url: String(input),
      body: init?.body === undefined ? undefined : String(init.body),
      contentType: headers.get("Content-Type") ?? undefined,
      credentials: init?.credentials,
    });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  });
  return seen;
}

afterEach(() => setFetch((...args) => fetch(...args)));

const unauthorized = { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", message: "sign in first", code: "UNAUTHORIZED" };

const me = {
  user: "alice",
  groups: ["dev", "system:authenticated"],
  mode: "oidc",
  readOnly: false,
  namespace: "demo",
  workloads: { cloneset: { scale: { allowed: true }, restart: { allowed: false, reason: "needs patch on clonesets (apps.kruise.io) in namespace demo" } } },
  rollouts: { approve: { allowed: true } },
};

describe("auth endpoints", () => {
  it("getAuthConfig", async () => {
    const seen = answer(200, { data: { mode: "token", readOnly: true } });
    await expect(getAuthConfig()).resolves.toEqual({ mode: "token", readOnly: true });
    expect(seen).toMatchObject([{ method: "GET", url: "/api/v1/auth/config", body: undefined }]);
  });

  it("login posts the token as JSON with same-origin credentials", async () => {
    const seen = answer(200, { data: { user: "system:serviceaccount:demo:viewer", groups: ["system:serviceaccounts"], mode: "token" } });
    await expect(login("eyJhbGciOi.x.y")).resolves.toEqual({ user: "system:serviceaccount:demo:viewer", groups: ["system:serviceaccounts"], mode: "token" });
    expect(seen).toEqual([
      { method: "POST", url: "/api/v1/auth/login", body: JSON.stringify({ token: "eyJhbGciOi.x.y" }), contentType: "application/json", credentials: "same-origin" },
    ]);
  });

  it("login with a bad token is an ApiError UNAUTHORIZED with the server's message", async () => {
    answer(401, { ...unauthorized, message: "the token was not accepted by the API server" });
    const err = await login("bad").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: "UNAUTHORIZED", message: "the token was not accepted by the API server" });
    expect(isUnauthorized(err)).toBe(true);
  });

  it("logout", async () => {
    const seen = answer(200, { data: { signedOut: true } });
    await expect(logout()).resolves.toEqual({ signedOut: true });
    expect(seen).toMatchObject([{ method: "POST", url: "/api/v1/auth/logout", body: undefined }]);
  });

  it("getMe asks for the namespace", async () => {
    const seen = answer(200, { data: me });
    await expect(getMe("demo ns")).resolves.toEqual(me);
    expect(seen).toMatchObject([{ method: "GET", url: "/api/v1/me?namespace=demo+ns" }]);
  });

  it("getMe without a session is an ApiError UNAUTHORIZED", async () => {
    answer(401, unauthorized);
    const err = await getMe("demo").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: "UNAUTHORIZED", traceId: unauthorized.trace_id, message: "sign in first" });
  });

  it("oidcLoginUrl carries the path to come back to", () => {
    expect(oidcLoginUrl("/rollouts/shop?ns=demo")).toBe("/api/v1/auth/oidc/login?redirect=%2Frollouts%2Fshop%3Fns%3Ddemo");
  });
});

describe("events", () => {
  const events = [
    { type: "Normal", reason: "ApprovedByDashboard", message: "step 2 approved by alice", count: 1, firstTimestamp: "2025-01-01T00:00:00Z", lastTimestamp: "2025-01-01T00:00:00Z", source: "kruise-dashboard" },
  ];
  it("getWorkloadEvents", async () => {
    const seen = answer(200, { data: events });
    await expect(getWorkloadEvents("demo", "cloneset", "shop")).resolves.toEqual(events);
    expect(seen).toMatchObject([{ method: "GET", url: "/api/v1/workload/demo/cloneset/shop/events" }]);
  });
  it("getRolloutEvents", async () => {
    const seen = answer(200, { data: events });
    await expect(getRolloutEvents("demo", "shop")).resolves.toEqual(events);
    expect(seen).toMatchObject([{ method: "GET", url: "/api/v1/rollout/events/demo/shop" }]);
  });
  it.each([
    ["getWorkloadEvents", () => getWorkloadEvents("demo", "cloneset", "shop")],
    ["getRolloutEvents", () => getRolloutEvents("demo", "shop")],
  ])("%s without a session is an ApiError UNAUTHORIZED", async (_, call) => {
    answer(401, unauthorized);
    await expect(call()).rejects.toMatchObject({ name: "ApiError", status: 401, code: "UNAUTHORIZED" });
  });
});

describe("onUnauthorized", () => {
  it("hears a 401 from any API call but not from the auth endpoints", async () => {
    const heard: string[] = [];
    const off = onUnauthorized((e) => heard.push(e.code));
    answer(401, unauthorized);
    await getRolloutEvents("demo", "shop").catch(() => undefined);
    await getMe("demo").catch(() => undefined);
    await login("bad").catch(() => undefined);
    await getAuthConfig().catch(() => undefined);
    answer(403, { trace_id: "", message: "forbidden", code: "FORBIDDEN" });
    await getMe("demo").catch(() => undefined);
    off();
    answer(401, unauthorized);
    await getMe("demo").catch(() => undefined);
    expect(heard).toEqual(["UNAUTHORIZED", "UNAUTHORIZED"]);
  });
});
