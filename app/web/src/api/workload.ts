import { request, seg } from "./http";
import type { KubeEvent, PodLog, SetImageResult, Workload, WorkloadPage, WorkloadPageParams, WorkloadRollout, WorkloadType, WorkloadWithPods } from "./types";

const base = (namespace: string, type: string, name: string) => `/workload/${seg(namespace)}/${seg(type)}/${seg(name)}`;

/** GET /workload/:namespace: every type's objects keyed by plural. */
export const listAllWorkloads = (namespace: string) => request<Record<string, Workload[]>>("GET", `/workload/${seg(namespace)}`);

/** GET /workload/:namespace/:type/:name */
export const getWorkload = (namespace: string, type: string, name: string) => request<Workload>("GET", base(namespace, type, name));

/** GET /workload/:namespace/:type */
export const listWorkloads = (namespace: string, type: string) => request<Workload[]>("GET", `/workload/${seg(namespace)}/${seg(type)}`);

/**
 * GET /workload/:namespace/:type?view=&q=&state=&sort=&limit=&continue=: one page of one type,
 * filtered and sorted on the server (compact items unless view=full).
 */
export const listWorkloadPage = (namespace: string, type: string, params: WorkloadPageParams = {}) =>
  request<WorkloadPage>("GET", `/workload/${seg(namespace)}/${seg(type)}`, {
    view: params.view ?? "compact",
    q: params.q || undefined,
    labelSelector: params.labelSelector || undefined,
    state: params.state || undefined,
    sort: params.sort,
    limit: params.limit,
    continue: params.continue || undefined,
  });

/** GET /workload/:namespace/:type/:name/pods */
export const getWorkloadWithPods = (namespace: string, type: string, name: string) =>
  request<WorkloadWithPods>("GET", base(namespace, type, name) + "/pods");

/** POST /workload/:namespace/:type/:name/scale?replicas=N */
export const scaleWorkload = (namespace: string, type: string, name: string, replicas: number) =>
  request<unknown>("POST", base(namespace, type, name) + "/scale", { replicas });

/** POST /workload/:namespace/:type/:name/restart */
export const restartWorkload = (namespace: string, type: string, name: string) => request<Workload>("POST", base(namespace, type, name) + "/restart");

/** DELETE /workload/:namespace/:type/:name */
export const deleteWorkload = (namespace: string, type: string, name: string) => request<unknown>("DELETE", base(namespace, type, name));

/**
 * POST /workload/:namespace/:type/:name/action/:action[?dryRun=true] {"params": {...}}: runs a
 * declared type's named action; answers the object as the API server stored it (with dryRun, as
 * it would store it: nothing changes).
 */
export const runWorkloadAction = (namespace: string, type: string, name: string, action: string, params: Record<string, unknown>, dryRun: boolean) =>
  request<Workload>("POST", base(namespace, type, name) + `/action/${seg(action)}`, { dryRun: dryRun ? "true" : undefined }, { params });

/** GET /workload-types: the backend registry's types and capabilities (the one source of truth). */
export const listWorkloadTypes = () => request<WorkloadType[]>("GET", "/workload-types");

/** GET /workload/:namespace/:type/:name/events: the workload's events, newest first. */
export const getWorkloadEvents = (namespace: string, type: string, name: string) => request<KubeEvent[]>("GET", base(namespace, type, name) + "/events");

/**
 * POST /workload/:namespace/:type/:name/image?dryRun=true|false {"images": {container: image}}:
 * with dryRun the server computes the change and the release it would start without making it.
 */
export const setWorkloadImage = (namespace: string, type: string, name: string, images: Record<string, string>, dryRun: boolean) =>
  request<SetImageResult>("POST", base(namespace, type, name) + "/image", { dryRun: String(dryRun) }, { images });

/** GET /workload/:namespace/:type/:name/rollout: the Rollout governing the workload, or null. */
export const getWorkloadRollout = (namespace: string, type: string, name: string) =>
  request<WorkloadRollout | null>("GET", base(namespace, type, name) + "/rollout");

/**
 * GET /workload/:namespace/:type/:name/pods/:pod/log?container=&tailLines=: the last lines of one
 * container's log (the server's defaults: the first container, 200 lines; tailLines 1..5000).
 */
export const getPodLog = (namespace: string, type: string, name: string, pod: string, container?: string, tailLines?: number) =>
  request<PodLog>("GET", base(namespace, type, name) + `/pods/${seg(pod)}/log`, { container: container || undefined, tailLines });
