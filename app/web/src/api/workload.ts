import { del, get, post } from "./http";
import type { Workload, WorkloadPage, WorkloadPageParams } from "./types";

/** GET /workload/:namespace: every type's objects keyed by plural. */
export const listAllWorkloads = (namespace: string) => get("/api/v1/workload/{namespace}", { path: { namespace } });

/** GET /workload/:namespace/:type/:name */
export const getWorkload = (namespace: string, type: string, name: string) => get("/api/v1/workload/{namespace}/{type}/{name}", { path: { namespace, type, name } });

/** GET /workload/:namespace/:type: without query parameters the answer is the whole list (the document's oneOf: a list or a page). */
export const listWorkloads = (namespace: string, type: string) =>
  get("/api/v1/workload/{namespace}/{type}", { path: { namespace, type } }).then((data) => data as Workload[]);

/**
 * GET /workload/:namespace/:type?view=&q=&state=&sort=&limit=&continue=: one page of one type,
 * filtered and sorted on the server (compact items unless view=full).
 */
export const listWorkloadPage = (namespace: string, type: string, params: WorkloadPageParams = {}) =>
  get("/api/v1/workload/{namespace}/{type}", {
    path: { namespace, type },
    query: {
      view: params.view ?? "compact",
      q: params.q || undefined,
      labelSelector: params.labelSelector || undefined,
      state: params.state || undefined,
      sort: params.sort,
      limit: params.limit,
      continue: params.continue || undefined,
    },
  }).then((data) => data as WorkloadPage);

/** GET /workload/:namespace/:type/:name/pods */
export const getWorkloadWithPods = (namespace: string, type: string, name: string) =>
  get("/api/v1/workload/{namespace}/{type}/{name}/pods", { path: { namespace, type, name } });

/** POST /workload/:namespace/:type/:name/scale?replicas=N */
export const scaleWorkload = (namespace: string, type: string, name: string, replicas: number) =>
  post("/api/v1/workload/{namespace}/{type}/{name}/scale", { path: { namespace, type, name }, query: { replicas } });

/** POST /workload/:namespace/:type/:name/restart */
export const restartWorkload = (namespace: string, type: string, name: string) =>
  post("/api/v1/workload/{namespace}/{type}/{name}/restart", { path: { namespace, type, name } });

/** DELETE /workload/:namespace/:type/:name */
export const deleteWorkload = (namespace: string, type: string, name: string) => del("/api/v1/workload/{namespace}/{type}/{name}", { path: { namespace, type, name } });

/**
 * POST /workload/:namespace/:type/:name/action/:action[?dryRun=true] {"params": {...}}: runs a
 * declared type's named action; answers the object as the API server stored it (with dryRun, as
 * it would store it: nothing changes).
 */
export const runWorkloadAction = (namespace: string, type: string, name: string, action: string, params: Record<string, unknown>, dryRun: boolean) =>
  post("/api/v1/workload/{namespace}/{type}/{name}/action/{action}", {
    path: { namespace, type, name, action },
    query: { dryRun: dryRun ? true : undefined },
    body: { params },
  });

/** GET /workload-types: the backend registry's types and capabilities (the one source of truth). */
export const listWorkloadTypes = () => get("/api/v1/workload-types");

/** GET /workload/:namespace/:type/:name/events: the workload's events, newest first. */
export const getWorkloadEvents = (namespace: string, type: string, name: string) =>
  get("/api/v1/workload/{namespace}/{type}/{name}/events", { path: { namespace, type, name } });

/**
 * POST /workload/:namespace/:type/:name/image?dryRun=true|false {"images": {container: image}}:
 * with dryRun the server computes the change and the release it would start without making it.
 */
export const setWorkloadImage = (namespace: string, type: string, name: string, images: Record<string, string>, dryRun: boolean) =>
  post("/api/v1/workload/{namespace}/{type}/{name}/image", { path: { namespace, type, name }, query: { dryRun }, body: { images } });

/** GET /workload/:namespace/:type/:name/rollout: the Rollout governing the workload, or null. */
export const getWorkloadRollout = (namespace: string, type: string, name: string) =>
  get("/api/v1/workload/{namespace}/{type}/{name}/rollout", { path: { namespace, type, name } });

/**
 * GET /workload/:namespace/:type/:name/pods/:pod/log?container=&tailLines=: the last lines of one
 * container's log (the server's defaults: the first container, 200 lines; tailLines 1..5000).
 */
export const getPodLog = (namespace: string, type: string, name: string, pod: string, container?: string, tailLines?: number) =>
  get("/api/v1/workload/{namespace}/{type}/{name}/pods/{pod}/log", { path: { namespace, type, name, pod }, query: { container: container || undefined, tailLines } });
