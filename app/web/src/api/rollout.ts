import { get, post } from "./http";
import type { ApproveItem } from "./types";

/** GET /rollout/:namespace/:name: the object as served. */
export const getRollout = (namespace: string, name: string) => get("/api/v1/rollout/{namespace}/{name}", { path: { namespace, name } });

/** GET /rollout/status/:namespace/:name */
export const getRolloutStatus = (namespace: string, name: string) => get("/api/v1/rollout/status/{namespace}/{name}", { path: { namespace, name } });

/** GET /rollout/history/:namespace/:name */
export const getRolloutHistory = (namespace: string, name: string) => get("/api/v1/rollout/history/{namespace}/{name}", { path: { namespace, name } });

/**
 * GET /rollout/evidence/:namespace/:name: the current release's canary pods against its stable
 * pods, from Prometheus, with the verdict ("unavailable" with its reason when Prometheus is not
 * configured or a query failed); 409 when the Rollout has no release in progress.
 */
export const getRolloutEvidence = (namespace: string, name: string) =>
  get("/api/v1/rollout/evidence/{namespace}/{name}", { path: { namespace, name } });

/**
 * GET /rollout/traffic/:namespace/:name: the traffic per step as planned, and what the controller
 * wrote (the canary Ingress's annotations, the HTTPRoute's backends), read as the user.
 */
export const getRolloutTraffic = (namespace: string, name: string) =>
  get("/api/v1/rollout/traffic/{namespace}/{name}", { path: { namespace, name } });

/** POST /rollout/pause/:namespace/:name */
export const pauseRollout = (namespace: string, name: string) => post("/api/v1/rollout/pause/{namespace}/{name}", { path: { namespace, name } });

/** POST /rollout/resume/:namespace/:name */
export const resumeRollout = (namespace: string, name: string) => post("/api/v1/rollout/resume/{namespace}/{name}", { path: { namespace, name } });

/** dryRun=true only when asked for: without it the call is the action itself. */
const dry = (dryRun?: boolean) => (dryRun ? true : undefined);

/** POST /rollout/undo/:namespace/:name[?revision=N][&dryRun=true]: with dryRun, the preview only. */
export const undoRollout = (namespace: string, name: string, revision?: number, dryRun?: boolean) =>
  post("/api/v1/rollout/undo/{namespace}/{name}", { path: { namespace, name }, query: { revision, dryRun: dry(dryRun) } });

/** POST /rollout/restart/:namespace/:name[?dryRun=true]: with dryRun, the preview only. */
export const restartRollout = (namespace: string, name: string, dryRun?: boolean) =>
  post("/api/v1/rollout/restart/{namespace}/{name}", { path: { namespace, name }, query: { dryRun: dry(dryRun) } });

/**
 * POST /rollout/approve/:namespace/:name[?step=N]: approves step N, the step the person was shown
 * waiting (409 if the Rollout has moved on); without it, whichever step waits now.
 */
export const approveRollout = (namespace: string, name: string, step?: number, reason?: string) =>
  post("/api/v1/rollout/approve/{namespace}/{name}", { path: { namespace, name }, query: { step, reason: reason?.trim() || undefined } });

/**
 * GET /rollout/timeline/:namespace/:name: the release's start (who set which image), its steps
 * (who approved each and when, or "outside the dashboard"), and its end; null times are unknown.
 */
export const getRolloutTimeline = (namespace: string, name: string) =>
  get("/api/v1/rollout/timeline/{namespace}/{name}", { path: { namespace, name } });

/** GET /rollout/list/:namespace ("_all" for every namespace) */
export const listAllRollouts = (namespace: string) => get("/api/v1/rollout/list/{namespace}", { path: { namespace } });

/** GET /rollout/active/:namespace */
export const listActiveRollouts = (namespace: string) => get("/api/v1/rollout/active/{namespace}", { path: { namespace } });

/** POST /rollout/enable|disable/:namespace/:name */
export const setRolloutDisabled = (namespace: string, name: string, disabled: boolean) =>
  post(disabled ? "/api/v1/rollout/disable/{namespace}/{name}" : "/api/v1/rollout/enable/{namespace}/{name}", { path: { namespace, name } });

/**
 * POST /rollout/promote/:namespace/:name[?to=N]
 * @deprecated kept as the API keeps it; the UI approves the step shown (approveRollout).
 */
export const promoteRollout = (namespace: string, name: string, to?: number) =>
  post("/api/v1/rollout/promote/{namespace}/{name}", { path: { namespace, name }, query: { to } });

/** GET /rollout/events/:namespace/:name: the rollout's events, newest first. */
export const getRolloutEvents = (namespace: string, name: string) => get("/api/v1/rollout/events/{namespace}/{name}", { path: { namespace, name } });

/** GET /rollout/waiting: every Rollout waiting for a person, in every namespace the user may read. */
export const listWaitingRollouts = () => get("/api/v1/rollout/waiting");

/** POST /rollout/approve-many {"items", "reason"}: approves each Rollout's step; one result per item, in order. */
export const approveMany = (items: ApproveItem[], reason?: string) =>
  post("/api/v1/rollout/approve-many", { body: { items, reason: reason?.trim() || undefined } });
