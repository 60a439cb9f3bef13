import type { Workload } from "./api/types";
import type { Messages } from "./i18n";

// How a workload's state is shown. What the state is, and what each kind's columns are, the server
// computes from the kind's own fields (its adapter or declaration; docs/semantics.md §6.3).

type Label = keyof Messages;

/** A workload's state, for the State column and its filter (the server's vocabulary). */
export type State =
  | "ready"
  | "updating"
  | "partitioned"
  | "notReady"
  | "paused"
  | "scaledToZero"
  | "inRelease"
  | "pending"
  | "running"
  | "completed"
  | "failed"
  | "suspended"
  | "scheduled"
  | "active";

/** The state's tag colour (status colours only: they keep their contrast in both themes). */
export function stateColor(state: State): string {
  switch (state) {
    case "ready":
    case "completed":
      return "success";
    // inRelease: a Rollout's own pause or partition, step by step; the release, not a hold to look into.
    case "updating":
    case "running":
    case "active":
    case "inRelease":
      return "processing";
    case "notReady":
    case "failed":
      return "error";
    case "paused":
    case "partitioned":
    case "suspended":
      return "warning";
    default:
      return "default";
  }
}

/** The state's i18n key. */
export const stateLabel = (state: State): Label => ("state_" + state) as Label;

/** The containers of the pod template, wherever the kind keeps it. */
export function containersOf(w: Workload): { name: string; image: string }[] {
  const sp = w.spec ?? {};
  const template =
    sp.template?.spec?.containers !== undefined
      ? sp.template
      : (sp.template?.jobTemplate?.spec?.template ?? sp.template?.broadcastJobTemplate?.spec?.template);
  const list = template?.spec?.containers;
  return Array.isArray(list) ? list.map((c: { name?: string; image?: string }) => ({ name: String(c.name ?? ""), image: String(c.image ?? "") })) : [];
}
