import { request, seg } from "./http";
import type { ActionResult, ApproveItem, ApproveItemResult, History, KubeEvent, RestartResult, RolloutStatus, UndoResult } from "./types";

const at = (namespace: string, name: string) => `${seg(namespace)}/${seg(name)}`;

/** GET /rollout/:namespace/:name: the object as served. */
export const getRollout = (namespace: string, name: string) => request<Record<string, any>>("GET", `/rollout/${at(namespace, name)}`);

/** GET /rollout/status/:namespace/:name */
export const getRolloutStatus = (namespace: string, name: string) => request<RolloutStatus>("GET", `/rollout/status/${at(namespace, name)}`);

/** GET /rollout/history/:namespace/:name */
export const getRolloutHistory = (namespace: string, name: string) => request<History>("GET", `/rollout/history/${at(namespace, name)}`);

/** POST /rollout/pause/:namespace/:name */
export const pauseRollout = (namespace: string, name: string) => request<ActionResult>("POST", `/rollout/pause/${at(namespace, name)}`);

/** POST /rollout/resume/:namespace/:name */
export const resumeRollout = (namespace: string, name: string) => request<ActionResult>("POST", `/rollout/resume/${at(namespace, name)}`);

/** dryRun=true only when asked for: without it the call is the action itself. */
const dry = (dryRun?: boolean) => (dryRun ? "true" : undefined);

/** POST /rollout/undo/:namespace/:name[?revision=N][&dryRun=true]: with dryRun, the preview only. */
export const undoRollout = (namespace: string, name: string, revision?: number, dryRun?: boolean) =>
  request<UndoResult>("POST", `/rollout/undo/${at(namespace, name)}`, { revision, dryRun: dry(dryRun) });

/** POST /rollout/restart/:namespace/:name[?dryRun=true]: with dryRun, the preview only. */
export const restartRollout = (namespace: string, name: string, dryRun?: boolean) =>
  request<RestartResult>("POST", `/rollout/restart/${at(namespace, name)}`, { dryRun: dry(dryRun) });

/** POST /rollout/approve/:namespace/:name */
export const approveRollout = (namespace: string, name: string) => request<ActionResult>("POST", `/rollout/approve/${at(namespace, name)}`);

/** GET /rollout/list/:namespace ("_all" for every namespace) */
export const listAllRollouts = (namespace: string) => request<RolloutStatus[]>("GET", `/rollout/list/${seg(namespace)}`);

/** GET /rollout/active/:namespace */
export const listActiveRollouts = (namespace: string) => request<RolloutStatus[]>("GET", `/rollout/active/${seg(namespace)}`);

/** POST /rollout/enable|disable/:namespace/:name */
export const setRolloutDisabled = (namespace: string, name: string, disabled: boolean) =>
  request<ActionResult>("POST", `/rollout/${disabled ? "disable" : "enable"}/${at(namespace, name)}`);

/** POST /rollout/promote/:namespace/:name[?to=N] */
export const promoteRollout = (namespace: string, name: string, to?: number) =>
  request<ActionResult>("POST", `/rollout/promote/${at(namespace, name)}`, { to });

/** GET /rollout/events/:namespace/:name: the rollout's events, newest first. */
export const getRolloutEvents = (namespace: string, name: string) => request<KubeEvent[]>("GET", `/rollout/events/${at(namespace, name)}`);

/** GET /rollout/waiting: every Rollout waiting for a person, in every namespace the user may read. */
export const listWaitingRollouts = () => request<RolloutStatus[]>("GET", "/rollout/waiting");

/** POST /rollout/approve-many {"items"}: approves each Rollout's step; one result per item, in order. */
export const approveMany = (items: ApproveItem[]) => request<ApproveItemResult[]>("POST", "/rollout/approve-many", undefined, { items });
