import { request, seg } from "./http";
import type { ActionResult, History, KubeEvent, RolloutStatus, UndoResult } from "./types";

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

/** POST /rollout/undo/:namespace/:name[?revision=N] */
export const undoRollout = (namespace: string, name: string, revision?: number) =>
  request<UndoResult>("POST", `/rollout/undo/${at(namespace, name)}`, { revision });

/** POST /rollout/restart/:namespace/:name */
export const restartRollout = (namespace: string, name: string) => request<{ message: string }>("POST", `/rollout/restart/${at(namespace, name)}`);

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
