import type { ReactNode } from "react";
import type { RolloutStatus } from "./api/types";
import { fmt, type Messages } from "./i18n";

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

/** What a Rollout's status says of its release (RolloutStatus.release), as a sentence. */
export function releaseText(t: Messages, r: { release?: RolloutStatus["release"]; active: boolean }): string {
  return t[`release_${r.release ?? (r.active ? "progressing" : "none")}`];
}

/** Said when the controller has not yet acted on the latest change to the Rollout's spec. */
export function notObservedText(t: Messages, st: Pick<RolloutStatus, "generation" | "observedGeneration">): string | undefined {
  return st.observedGeneration < st.generation ? fmt(t.notObservedYet, { generation: st.generation, observed: st.observedGeneration }) : undefined;
}

const isPercent = (replicas: RolloutStatus["steps"][number]["replicas"]) => typeof replicas === "string" && replicas.endsWith("%");

/**
 * The Approve dialog's line: the step approved, what the next step does to which pods (from the
 * Rollout's steps and the workload's replicas, when known), and what it does after; or, for the
 * last step, that the release finishes.
 */
export function approveText(t: Messages, st: Pick<RolloutStatus, "steps" | "currentStepIndex">, total?: number): string {
  const cur = st.currentStepIndex;
  const count = st.steps.length;
  const next = st.steps[cur]; // steps are 1-based: the one after the current
  if (!next) return fmt(t.approveLast, { step: cur, count, pods: total !== undefined ? fmt(t.allPods, { total }) : t.allPodsUnknown });
  const n = stepTarget(next.replicas, total);
  const shown = n !== undefined && total !== undefined ? Math.min(n, total) : n;
  const replicas = String(next.replicas ?? "-");
  const target = isPercent(next.replicas)
    ? shown !== undefined && total !== undefined
      ? fmt(t.targetPods, { replicas, n: shown, total })
      : fmt(t.targetPodsUnknown, { replicas })
    : shown !== undefined
      ? total !== undefined
        ? fmt(t.targetCount, { n: shown, total })
        : fmt(t.targetCountUnknown, { n: shown })
      : fmt(t.targetPodsUnknown, { replicas });
  const waits = personSteps(st).find((p) => p.index === next.index)?.waitsForPerson;
  const then = waits ? t.thenWaits : next.pauseSeconds ? fmt(t.thenPauses, { seconds: next.pauseSeconds }) : next.index === count ? t.thenFinishes : t.thenGoesOn;
  return fmt(t.approveNext, { step: cur, next: next.index, count, target, traffic: next.traffic ? fmt(t.trafficShare, { traffic: next.traffic }) : "", then });
}

type Said = Pick<RolloutStatus, "steps" | "currentStepIndex" | "active" | "waitingForApproval" | "updatedReplicas" | "workload">;

/** The Pause dialog's line (offered only while a release is in progress). */
export const pauseText = (t: Messages, st: Said) => fmt(t.pauseSays, { step: st.currentStepIndex, count: st.steps.length, updated: st.updatedReplicas });

/** The Resume dialog's line. */
export function resumeText(t: Messages, st: Said): string {
  if (!st.active) return t.resumeSaysIdle;
  return fmt(st.waitingForApproval ? t.resumeSaysWaiting : t.resumeSaysActive, { step: st.currentStepIndex, count: st.steps.length });
}

/** The Disable dialog's line: during a release, and after one (the next image change). */
export function disableText(t: Messages, st: Said, total?: number, f: Formatter = fmt): ReactNode {
  const workload = `${st.workload.kind}/${st.workload.name}`;
  if (st.active) return f(t.disableSaysActive, { step: st.currentStepIndex, count: st.steps.length, workload });
  return f(t.disableSaysIdle, { workload, pods: total !== undefined ? fmt(t.allPodsN, { n: total }) : t.everyPod });
}

/** A message filler: fmt, or the page's rawFmt, which marks the names it puts in as names. */
type Formatter = (message: string, values: Record<string, string | number>) => ReactNode;

/** The Enable dialog's line. */
export function enableText(t: Messages, st: Said, f: Formatter = fmt): ReactNode {
  const waits = personSteps(st)
    .filter((p) => p.waitsForPerson)
    .map((p) => p.index)
    .join(", ");
  return f(t.enableSays, { workload: `${st.workload.kind}/${st.workload.name}`, count: st.steps.length, waits: waits ? fmt(t.enableWaits, { steps: waits }) : "" });
}
