import { Link } from "react-router-dom";
import { Tag } from "antd";
import type { RolloutRow } from "../api/types";
import { useT } from "../i18n";
import { workloadPath } from "./paths";
import { Raw } from "./raw";
import { ApiValue } from "./values";

// A rollout's cells, shared by the pages that list or show rollouts (Overview, Rollouts, Inbox,
// the Rollout and workload pages).

/** "x/N" while a step is current, else "-". */
export const stepText = (r: RolloutRow) => (r.currentStepIndex ? `${r.currentStepIndex}/${"stepCount" in r ? r.stepCount : r.steps.length}` : "-");

/** The Rollout's workload, linked to its page when the dashboard serves its type. */
export function WorkloadLink({ r, ns }: { r: RolloutRow; ns: string }) {
  const text = `${r.workload.kind}/${r.workload.name}`;
  const to = workloadPath(r.namespace || ns, r.workload.type, r.workload.name);
  return to ? (
    <Link to={to} data-testid="rollout-workload-link" translate="no">
      {text}
    </Link>
  ) : (
    <Raw>{text}</Raw>
  );
}

/** A rollout's state: the step state, and tags for waiting (only when it is), paused, disabled. */
export function RolloutStateCell({ r }: { r: RolloutRow }) {
  const t = useT();
  return (
    <>
      <ApiValue kind="stepState" value={r.currentStepState} /> {r.waitingForApproval && <Tag color="warning">{t.waitingApproval}</Tag>}
      {r.paused && <Tag>{t.paused}</Tag>} {r.disabled && <Tag>{t.disabled}</Tag>}
    </>
  );
}

/** A rollout's phase, in the page's language, in its tag. */
export function PhaseTag({ r, testId }: { r: RolloutRow; testId?: string }) {
  return (
    <Tag color={phaseColor(r)} data-testid={testId}>
      <ApiValue kind="rolloutPhase" value={r.phase} />
    </Tag>
  );
}

/** A rollout phase's tag color: in flight, healthy, or neither. */
export const phaseColor = (r: RolloutRow) => (r.active ? "processing" : r.phase === "Healthy" ? "success" : "default");
