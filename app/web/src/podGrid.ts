import type { RolloutStatus } from "./api/types";

// The release's pods as the pod grid shows them (components/PodGrid.tsx): canary and stable side
// by side, and pods of any other revision apart; the canary's pods grouped by the batch (step) of
// this release that updated them, where the controller's batch label is set.

export type ReleasePods = NonNullable<RolloutStatus["pods"]>;
export type ReleasePod = ReleasePods["items"][number];
export type PodState = ReleasePod["state"];
export type PodRole = "canary" | "stable" | "other";

/** The pods of one batch ("" for pods without the batch label), by name. */
export interface Batch {
  batch: string;
  pods: ReleasePod[];
}

/** One side of the grid: its pods by batch, and how many are in each state. */
export interface GridColumn {
  role: PodRole;
  batches: Batch[];
  total: number;
  counts: Record<PodState, number>;
}

/** A pod's role as the grid shows it: the API's "" (another revision) is "other". */
export const roleOf = (p: Pick<ReleasePod, "role">): PodRole => (p.role === "canary" || p.role === "stable" ? p.role : "other");

/**
 * The grid's columns: canary and stable always (a side without pods is shown empty: the step's
 * target says what should be there), other revisions only when there are some. Batches by their
 * number (then as text), pods without a batch label last; pods by name.
 */
export function podGrid(items: ReleasePod[]): GridColumn[] {
  const roles: PodRole[] = ["canary", "stable", "other"];
  return roles
    .map((role) => {
      const pods = items.filter((p) => roleOf(p) === role);
      const byBatch = new Map<string, ReleasePod[]>();
      // Only the canary's batches are this release's: the stable pods keep the labels of the
      // release that made them, a batch of another release.
      const batchOf = (p: ReleasePod) => (role === "canary" ? (p.batch ?? "") : "");
      for (const p of pods) byBatch.set(batchOf(p), [...(byBatch.get(batchOf(p)) ?? []), p]);
      const batches = [...byBatch.entries()]
        .sort(([a], [b]) => compareBatches(a, b))
        .map(([batch, ps]) => ({ batch, pods: [...ps].sort((x, y) => x.name.localeCompare(y.name)) }));
      const counts: Record<PodState, number> = { ready: 0, notReady: 0, terminating: 0 };
      for (const p of pods) counts[stateOf(p)]++;
      return { role, batches, total: pods.length, counts };
    })
    .filter((c) => c.role !== "other" || c.total > 0);
}

/** A pod's state; a server without the state field (older) is read from ready. */
export const stateOf = (p: Pick<ReleasePod, "ready"> & { state?: PodState }): PodState => p.state ?? (p.ready ? "ready" : "notReady");

function compareBatches(a: string, b: string): number {
  if (a === "" || b === "") return a === b ? 0 : a === "" ? 1 : -1;
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a.localeCompare(b);
}

/** The symbol each state is drawn with, so that no state is told by colour alone. */
export const STATE_SYMBOL: Record<PodState, string> = { ready: "✓", notReady: "!", terminating: "×" };
