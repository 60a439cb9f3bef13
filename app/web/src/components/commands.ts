import type { DeclaredAction, WorkloadType } from "../api/types";
import type { Cluster } from "../api/fleetTypes";
import { fmt } from "../i18n";

// The kubectl commands the confirm dialogs show. A workload type's come from the server with the
// type (GET /workload-types: each kind states its own in its adapter or declaration); here they
// are only filled in. A Rollout's are written here, once, for every page that shows one.

export type WorkloadAction = "scale" | "restart" | "setImage" | "delete";

/** The time as a restart stamps it: RFC 3339 in seconds. */
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** The container=image pairs of a set image command. */
const imagePairs = (images: Record<string, string> = {}) =>
  Object.entries(images)
    .map(([c, i]) => `${c}=${i}`)
    .join(" ") || "<container>=<image>";

/**
 * The command of a built-in action on one object of a type, or undefined when no single kubectl
 * command does what the dashboard does (the dialog says so).
 */
export function workloadCommand(ty: WorkloadType | undefined, action: WorkloadAction, ns: string, name: string, opts: { replicas?: number; images?: Record<string, string> } = {}): string | undefined {
  const template = ty?.commands[action];
  if (!template) return undefined;
  return fmt(template, { name, namespace: ns, replicas: opts.replicas ?? "N", images: imagePairs(opts.images), now: now() });
}

/**
 * The command of a declared action: a merge patch of the object with what the server's dry run of
 * the action changes (known once the dry run has answered; until then pending, in the page's language).
 */
export function declaredActionCommand(action: DeclaredAction, ns: string, name: string, patch?: Record<string, unknown>, pending = "<the patch of the dry run>"): string {
  return fmt(action.command, { name, namespace: ns, patch: patch ? JSON.stringify(patch) : pending });
}

const kk = "kubectl-kruise rollout";

/**
 * A workload type as kubectl-kruise's documentation names it (cloneset, asts, ads; deployment,
 * statefulset for apps/v1), else as kubectl resolves it unambiguously (resource.group): never
 * "statefulset" for Kruise's Advanced StatefulSet, which both tools resolve to apps/v1.
 */
export const kruiseResource = (ty: WorkloadType | undefined, fallback: string) => ty?.commands.kruiseResource || ty?.commands.resource || fallback;

/** kubectl's unambiguous name of Kruise's Rollout ("rollout" alone may be another group's, e.g. Argo's). */
const rolloutResource = "rollouts.rollouts.kruise.io";

/** The commands of a Rollout's actions (kubectl-kruise's, or kubectl patch where it has none). */
export const rolloutCommands = (ns: string, name: string) => ({
  approve: `${kk} approve rollout/${name} -n ${ns}`,
  resume: `${kk} resume rollout/${name} -n ${ns}`,
  pause: `${kk} pause rollout/${name} -n ${ns}`,
  undo: (toRevision?: number) => `${kk} undo rollout/${name} -n ${ns}${toRevision !== undefined ? ` --to-revision=${toRevision}` : ""}`,
  /** The restart of the workload the Rollout governs, named by kruiseResource. */
  restart: (workloadResource: string, workload: string) => `${kk} restart ${workloadResource}/${workload} -n ${ns}`,
  promote: (subStatus: string, nextStepIndex: number) =>
    `kubectl patch ${rolloutResource} ${name} -n ${ns} --subresource status --type merge -p '{"status":{"${subStatus}":{"nextStepIndex":${nextStepIndex}}}}'`,
  enable: `kubectl patch ${rolloutResource} ${name} -n ${ns} --type merge -p '{"spec":{"disabled":false}}'`,
  disable: `kubectl patch ${rolloutResource} ${name} -n ${ns} --type merge -p '{"spec":{"disabled":true}}'`,
});

/** What the commands need to know of a cluster (GET /clusters). */
export type CommandCluster = Pick<Cluster, "name" | "home" | "origin" | "context" | "source">;

/** A value as one shell word (quoted when it has anything but plain characters). */
const shellWord = (s: string) => (/^[A-Za-z0-9._:@/=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * A command as it must run against cluster c: a cluster from a kubeconfig context gets
 * `--context <context>` after kubectl (or kubectl-kruise); the home cluster's and any other
 * cluster's command is as it is (for those, commandClusterNote says which cluster to run it against).
 */
export function forCluster(command: string, c: CommandCluster | undefined): string {
  if (!c || c.home || c.origin !== "kubeconfig" || !c.context) return command;
  return command.replace(/^(kubectl(?:-kruise)?)(?=\s|$)/, `$1 --context ${shellWord(c.context)}`);
}

/** Whether the commands of cluster c need a line saying which cluster they must run against. */
export const needsClusterNote = (c: CommandCluster | undefined): c is CommandCluster => !!c && !c.home && !(c.origin === "kubeconfig" && c.context);
