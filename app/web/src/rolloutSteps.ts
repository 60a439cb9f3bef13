import type { RolloutStatus } from "./api/types";

// What a Rollout's steps mean (docs/semantics.md §3.2-3.3).

/**
 * Which steps stop for a person: a manual pause (no duration), except on a last step at 100%,
 * which the controller goes on from by itself.
 */
export function personSteps(st: Pick<RolloutStatus, "steps">): { index: number; waitsForPerson: boolean }[] {
  const n = st.steps.length;
  return st.steps.map((s) => ({ index: s.index, waitsForPerson: s.manual && !(s.index === n && String(s.replicas) === "100%") }));
}

/**
 * The replicas a step targets: a number as it is, a percentage of the workload's replicas rounded
 * up (as Kruise's batch release computes it); undefined when it cannot be known.
 */
export function stepTarget(replicas: RolloutStatus["steps"][number]["replicas"], total: number | undefined): number | undefined {
  if (typeof replicas === "number") return replicas;
  if (typeof replicas !== "string") return undefined;
  if (/^\d+$/.test(replicas)) return Number(replicas);
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(replicas);
  if (pct && total !== undefined) return Math.ceil((Number(pct[1]) * total) / 100);
  return undefined;
}
