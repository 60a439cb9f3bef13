import { Link } from "react-router-dom";
import { Tag } from "antd";
import type { RolloutRow } from "../api/types";
import { useT } from "../i18n";
import { workloadPath } from "./paths";
import { releaseText } from "../rolloutSteps";

// A rollout's cells, shared by the pages that list or show rollouts (Overview, Rollouts, Inbox,
// the Rollout and workload pages).

/**
 * "x/N" while a release is in progress, else "-": outside a release the status keeps the step the
 * last one stopped at (a cancelled release stays at "1/2 StepPaused"), which is no step in progress.
 */
export const stepText = (r: RolloutRow) => (r.active && r.currentStepIndex ? `${r.currentStepIndex}/${"stepCount" in r ? r.stepCount : r.steps.length}` : "-");

/** The Rollout's workload, linked to its page when the dashboard serves its type. */
export function WorkloadLink({ r, ns }: { r: RolloutRow; ns: string }) {
  const text = `${r.workload.kind}/${r.workload.name}`;
  const to = workloadPath(r.namespace || ns, r.workload.type, r.workload.name);
  return to ? <Link to={to} data-testid="rollout-workload-link">{text}</Link> : <>{text}</>;
}

/**
 * A rollout's state: the step state, and tags for waiting (only when it is), paused, disabled;
 * outside a release what its status says of the last one (completed, cancelled, ...).
 */
export function RolloutStateCell({ r }: { r: RolloutRow }) {
  const t = useT();
  if (!r.active)
    return (
      <>
        <span data-testid="rollout-release-cell">{releaseText(t, "release" in r ? r : { active: false })}</span> {r.paused && <Tag>{t.paused}</Tag>}
      </>
    );
  return (
    <>
      {r.currentStepState || "-"} {r.waitingForApproval && <Tag color="warning">{t.waitingApproval}</Tag>}
      {r.paused && <Tag>{t.paused}</Tag>} {r.disabled && <Tag>{t.disabled}</Tag>}
    </>
  );
}

/** A rollout phase's tag color: in flight, healthy, or neither. */
export const phaseColor = (r: RolloutRow) => (r.active ? "processing" : r.phase === "Healthy" ? "success" : "default");
