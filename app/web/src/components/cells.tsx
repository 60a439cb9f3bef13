import { Link } from "react-router-dom";
import { Tag } from "antd";
import type { OwnerReference, RolloutRow, WorkloadType } from "../api/types";
import { useWorkloadTypes } from "../contexts";
import { useT, type Locale } from "../i18n";
import { typeLabel, typeOfRef } from "../workloadTypes";
import { workloadPath } from "./paths";
import { releaseText } from "../rolloutSteps";
import { Raw } from "./raw";
import { ApiValue } from "./values";

// A rollout's cells, shared by the pages that list or show rollouts (Overview, Rollouts, Inbox,
// the Rollout and workload pages), and an object's owner, shared by the workload pages.

/** An owner as people read it: its type's name (not its id or an ambiguous kind) and its name. */
export function ownerText(owner: Pick<OwnerReference, "apiVersion" | "kind" | "name">, types: WorkloadType[], locale?: Locale): string {
  const ty = typeOfRef(types, owner);
  return `${ty ? typeLabel(ty, types, locale) : owner.kind} ${owner.name}`;
}

/** The controller that owns an object (a UnitedDeployment's subset), linked to its page when the dashboard serves its type. */
export function OwnerLink({ owner, ns }: { owner: Pick<OwnerReference, "apiVersion" | "kind" | "name">; ns: string }) {
  const t = useT();
  const types = useWorkloadTypes();
  const ty = typeOfRef(types, owner);
  const text = ownerText(owner, types, t.locale);
  const to = ty ? workloadPath(ns, ty.type, owner.name) : "";
  return to ? (
    <Link to={to} data-testid="owner-link" translate="no">
      {text}
    </Link>
  ) : (
    <span data-testid="owner-link" translate="no">
      {text}
    </span>
  );
}

/**
 * "x/N" while a release is in progress, else "-": outside a release the status keeps the step the
 * last one stopped at (a cancelled release stays at "1/2 StepPaused"), which is no step in progress.
 */
export const stepText = (r: RolloutRow) => (r.active && r.currentStepIndex ? `${r.currentStepIndex}/${"stepCount" in r ? r.stepCount : r.steps.length}` : "-");

/** A workload as people read it: its type's name ("StatefulSet" alone would not say which) and its name. */
export function workloadText(w: { type?: string; kind: string; name: string }, types: WorkloadType[], locale?: Locale): string {
  const ty = w.type ? types.find((x) => x.type === w.type) : undefined;
  return `${ty ? typeLabel(ty, types, locale) : w.kind}/${w.name}`;
}

/** workloadText with the served types and the locale. */
export function useWorkloadText() {
  const t = useT();
  const types = useWorkloadTypes();
  return (w: { type?: string; kind: string; name: string }) => workloadText(w, types, t.locale);
}

/** The Rollout's workload (by workloadText), linked to its page when the dashboard serves its type. */
export function WorkloadLink({ r, ns, cluster }: { r: RolloutRow; ns: string; cluster?: string }) {
  const text = useWorkloadText()(r.workload);
  const to = workloadPath(r.namespace || ns, r.workload.type, r.workload.name, cluster);
  return to ? (
    <Link to={to} data-testid="rollout-workload-link" translate="no">
      {text}
    </Link>
  ) : (
    <Raw>{text}</Raw>
  );
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
