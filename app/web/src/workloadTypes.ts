import type { ActionParam, CompactWorkload, DeclaredAction, TemplateChange, Workload, WorkloadType } from "./api/types";
import { fmt, type Locale, type Messages } from "./i18n";

// What the UI reads from GET /workload-types to treat every type alike: each type, built in or
// declared, brings its columns, states, commands and actions, and every compact row its column
// values and state, so a new type needs no change here.

/** The namespace segment of cluster-scoped types in every /workload path and the live stream. */
export const CLUSTER_NS = "_cluster";

export const isDeclared = (ty?: WorkloadType) => ty?.source === "declared";
export const isClusterScoped = (ty?: WorkloadType) => ty?.scope === "Cluster";

/** The namespace segment a type's objects are asked for under, when the page shows ns. */
export const apiNamespace = (ty: WorkloadType | undefined, ns: string) => (isClusterScoped(ty) ? CLUSTER_NS : ns);

/** The API group of an apiVersion ("" for the core group). */
export const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");

/** A type's own title in the locale: the server's (e.g. "Advanced StatefulSet"), else its kind. */
const titleOf = (ty: WorkloadType, locale?: Locale) => (locale && ty.titles?.[locale]) || ty.title || ty.kind;

/**
 * The name a type is shown by: its title ("Advanced StatefulSet" for Kruise's, "StatefulSet" for
 * apps/v1's), never its id (apps-statefulset); with its apiVersion should another type have the
 * same title.
 */
export function typeLabel(ty: WorkloadType, all: WorkloadType[], locale?: Locale): string {
  const name = titleOf(ty, locale);
  const clash = all.some((o) => o.type !== ty.type && o.source !== "refused" && titleOf(o, locale) === name);
  return clash ? `${name} (${ty.apiVersion})` : name;
}

/** The type a reference (apiVersion and kind, e.g. an owner's) is served as, if any. */
export const typeOfRef = (all: WorkloadType[], ref: { apiVersion?: string; kind?: string }) =>
  all.find((ty) => ty.source !== "refused" && ty.apiVersion === ref.apiVersion && ty.kind === ref.kind);

/** An object's controller (ownerReferences with controller: true), e.g. a UnitedDeployment's subset's. */
export const controllerOf = (meta: { ownerReferences?: { apiVersion: string; kind: string; name: string; controller?: boolean }[] } | undefined) =>
  meta?.ownerReferences?.find((r) => r.controller);

/** Where a declaration was read, in words ("shipped with the dashboard (x.yaml)"): never the server's path. */
export function originText<R = string>(
  t: Messages,
  info: Pick<WorkloadType, "origin" | "configMap" | "fileName" | "file">,
  // The page marks the file and ConfigMap names as names (rawFmt); tests read plain text.
  f: (message: string, values: Record<string, string>) => R = fmt as unknown as (message: string, values: Record<string, string>) => R,
): R {
  const file = info.fileName || (info.file ?? "").split("/").pop() || "";
  switch (info.origin) {
    case "shipped":
      return f(t.originShipped, { file });
    case "configmap":
      return f(t.originConfigMap, { configMap: info.configMap ?? "", file });
    default:
      return f(t.originFolder, { file });
  }
}

/** Whether the type is named by its kind (an API name, not words of the page's language). */
export const namedByKind = (ty: WorkloadType, locale: Locale) => !ty.titles?.[locale];

/** A declared action's or parameter's title in the locale (English when it gives none in it). */
export const localTitle = (x: { name: string; title?: string; titles?: Record<string, string> }, locale: Locale) => x.titles?.[locale] || x.title || x.name;

/** One column of a type, read from a compact item's columns. */
export interface Field {
  key: string;
  title: string;
  kind: "string" | "number" | "time";
  value: (w: CompactWorkload) => unknown;
}

/** A type's columns, titled in the locale (English when the type gives no title in it); a list leaves out the detail ones. */
export function typeFields(ty: WorkloadType, locale: Locale, where: "list" | "detail"): Field[] {
  return ty.columns
    .filter((c) => where === "detail" || !c.detail)
    .map((c) => ({
      key: "col:" + c.name,
      title: c.titles?.[locale] || c.title || c.name,
      kind: c.type === "number" || c.type === "time" ? c.type : "string",
      value: (w) => w.columns?.[c.name] ?? null,
    }));
}

/** A column value as text: "-" for none; lists and objects as JSON. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined || v === "") return "-";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** A value as the sorters compare it: numbers stay numbers. */
export const sortValue = (v: unknown): unknown => (v === null || v === undefined || typeof v === "number" || typeof v === "string" ? v : JSON.stringify(v));

// ---- declared actions: their parameters, and what a dry run says they change ----

/** The values typed into an action's form, by parameter name (undefined: left empty). */
export type ParamValues = Record<string, string | number | boolean | null | undefined>;

/** What is wrong with one parameter's value ("" when nothing). */
export type ParamProblem = "" | "required" | "whole" | "min" | "max" | "range";

export function paramProblem(p: ActionParam, v: ParamValues[string]): ParamProblem {
  const empty = v === undefined || v === null || v === "";
  if (empty) return p.required ? "required" : "";
  if (p.type !== "integer") return "";
  if (typeof v !== "number" || !Number.isInteger(v)) return "whole";
  const low = p.min !== undefined && v < p.min;
  const high = p.max !== undefined && v > p.max;
  if (!low && !high) return "";
  return p.min !== undefined && p.max !== undefined ? "range" : low ? "min" : "max";
}

/** The body's params: typed as declared, empty optional ones left out; null when one is invalid. */
export function actionParams(action: DeclaredAction, values: ParamValues): Record<string, string | number | boolean> | null {
  const out: Record<string, string | number | boolean> = {};
  for (const p of action.params ?? []) {
    const v = values[p.name];
    if (paramProblem(p, p.type === "boolean" && p.required && v === undefined ? false : v) !== "") return null;
    if (p.type === "boolean") {
      if (v !== undefined || p.required) out[p.name] = v === true;
    } else if (v !== undefined && v !== null && v !== "") {
      out[p.name] = p.type === "integer" ? Number(v) : String(v);
    }
  }
  return out;
}

/** Fields the API server sets on every write: never "what the action changes". */
const BOOKKEEPING = new Set(["resourceVersion", "generation", "managedFields", "uid", "creationTimestamp"]);

/** The parts of the object an action's patch is about: the status for the status subresource. */
function changedPart(obj: Workload | undefined, action: DeclaredAction): Record<string, unknown> {
  if (!obj) return {};
  if (action.subresource === "status") return { status: obj.status ?? {} };
  if (action.subresource === "scale" || obj.kind === "Scale") return { spec: { replicas: obj.spec?.replicas } };
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj.metadata ?? {})) if (!BOOKKEEPING.has(k)) meta[k] = v;
  return { metadata: meta, spec: obj.spec ?? {} };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** Every changed leaf between two values, by dotted path (lists by index). */
export function objectDiff(before: unknown, after: unknown, path = ""): TemplateChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => objectDiff(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    return Array.from({ length: n }, (_, i) => objectDiff(before[i], after[i], `${path}[${i}]`)).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, from: show(before), to: show(after) }];
}

/** The JSON merge patch (RFC 7386) that turns before into after (lists are replaced whole). */
export function mergePatch(before: unknown, after: unknown): unknown {
  if (!isObject(before) || !isObject(after)) return after;
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!(k in after)) out[k] = null;
    else if (!(k in before)) out[k] = after[k];
    else if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = mergePatch(before[k], after[k]);
  }
  return out;
}

/** What a declared action changes: the current object against the server's dry-run answer. */
export function actionChanges(current: Workload, dryRun: Workload, action: DeclaredAction) {
  const before = changedPart(current, action);
  const after = changedPart(dryRun, action);
  return { diff: objectDiff(before, after), patch: mergePatch(before, after) as Record<string, unknown> };
}
