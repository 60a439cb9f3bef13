import { useState } from "react";
import { useParams } from "react-router-dom";
import { Alert, App, Card, Descriptions, Select, Space, Steps, Table, Tag, Tooltip, Typography } from "antd";
import {
  approveRollout,
  getRolloutEvents,
  getRolloutHistory,
  getRolloutStatus,
  pauseRollout,
  restartRollout,
  resumeRollout,
  setRolloutDisabled,
  undoRollout,
} from "../api/rollout";
import { getWorkload } from "../api/workload";
import type { ActionResult, Permission, RestartResult, Revision, RolloutStatus, UndoResult, WatchChange, Workload } from "../api/types";
import { ActionButton, Ago, Changes, duration, EventsCard, Loadable, ReleaseNote, SLOW_REFRESH_MS, Title, usePoll } from "../components/common";
import { rolloutChange, workloadChange } from "../live";
import { useCan } from "../auth";
import { useWorkloadTypes } from "../contexts";
import { kruiseResource, rolloutCommands } from "../components/commands";
import { fmt, useT, type Messages } from "../i18n";
import { stepText, useWorkloadText, WorkloadLink, workloadText } from "../components/cells";
import { approveText, disableText, enableText, notObservedText, pauseText, personSteps, releaseText, resumeText, stepTarget } from "../rolloutSteps";
import { Raw, rawFmt } from "../components/raw";
import { ApiValue } from "../components/values";
import { ReasonField, ReleaseTimeline } from "../components/ReleaseTimeline";
import { clusterPath } from "../components/paths";
import { FavouriteStar, TitleRow } from "../components/Favourites";
import { TrafficPanel } from "../components/TrafficPanel";
import { EvidencePanel } from "../components/EvidencePanel";
import { PodGrid } from "../components/PodGrid";

export function RolloutDetail({ ns }: { ns: string }) {
  const t = useT();
  const { name = "" } = useParams();
  const { message } = App.useApp();
  // The status and history follow the Rollout and its workload; the step's pods and the events are
  // not streamed, so they also refresh slowly.
  const release = (e: WatchChange) => {
    const wl = status.data?.workload;
    return rolloutChange(name)(e) || (wl !== undefined && workloadChange(wl.type, wl.name)(e));
  };
  const status = usePoll(() => getRolloutStatus(ns, name), [ns, name], { live: { namespace: ns, matches: release, every: SLOW_REFRESH_MS } });
  const history = usePoll(() => getRolloutHistory(ns, name), [ns, name], { interval: 15000, live: { namespace: ns, matches: release } });
  const events = usePoll(() => getRolloutEvents(ns, name), [ns, name], { live: { namespace: ns, matches: rolloutChange(name), every: SLOW_REFRESH_MS } });
  const can = useCan();
  const [undoTo, setUndoTo] = useState<number | undefined>(undefined);
  const [reason, setReason] = useState("");
  const st = status.data;
  // The workload, for its pod count (what a step's percentage is of, what a dialog says of pods).
  const wlType = st?.workload.type ?? "";
  const wlName = st?.workload.name ?? "";
  const workload = usePoll(() => (wlType ? getWorkload(ns, wlType, wlName) : Promise.resolve(undefined)), [ns, wlType, wlName], {
    live: { namespace: ns, matches: workloadChange(wlType, wlName) },
  });
  const total = podTotal(workload.data);
  const types = useWorkloadTypes();
  const cmd = rolloutCommands(ns, name);
  const reloadAll = () => {
    void status.reload();
    void history.reload();
    void events.reload();
  };
  const done = (r: unknown) => {
    const res = r as Partial<ActionResult>;
    message.success(res?.message ?? t.done);
    if (res?.warning) message.warning(res.warning);
    // The controller reacts within seconds: look again soon, not only at the next poll.
    reloadAll();
    setTimeout(reloadAll, 1000);
    setTimeout(reloadAll, 3000);
  };
  const wtype = st?.workload.type ?? "";
  const undoCommand = cmd.undo(undoTo);
  // kubectl-kruise's name of the workload's type: "statefulset" alone would be apps/v1's, not Kruise's.
  const workloadResource = kruiseResource(types.find((ty) => ty.type === wtype), wtype);
  const revisions = (history.data?.revisions ?? []).filter((r) => !r.current);
  const line = (text: React.ReactNode, testId: string) => (
    <Typography.Paragraph style={{ marginBottom: 0 }} data-testid={testId}>
      {text}
    </Typography.Paragraph>
  );
  // What each action means here (docs/semantics.md §4.4-§4.9): Pause only holds a release in
  // progress; Restart is refused during one (it would replace it); Undo needs a revision to go back to.
  const offered = st && offeredActions(st, revisions.length > 0);
  const titled = (verb: string) => <>{verb} <Raw>{name}</Raw></>;

  return (
    <>
      <TitleRow star={<FavouriteStar kind="rollout" namespace={ns} name={name} />}>
        <Title label={`${t.rollout} ${ns}/${name}`}>
          {t.rollout} <Raw>{`${ns}/${name}`}</Raw>
        </Title>
      </TitleRow>
      <Loadable loading={status.loading} error={status.error} back={{ to: clusterPath(`/rollouts?ns=${encodeURIComponent(ns)}`), label: t.backToRollouts }} onRetry={() => void status.reload()}>
        {st && (
          <Space direction="vertical" style={{ width: "100%" }} size="large">
            <Card title={t.status}>
              <Descriptions size="small" column={3} data-testid="rollout-summary">
                <Descriptions.Item label={t.phase}><Tag color={st.active ? "processing" : "success"} data-testid="rollout-phase"><ApiValue kind="rolloutPhase" value={st.phase} /></Tag></Descriptions.Item>
                <Descriptions.Item label={t.strategy}><ApiValue kind="strategy" value={st.strategy} /></Descriptions.Item>
                <Descriptions.Item label={t.workload}><WorkloadLink r={st} ns={ns} /></Descriptions.Item>
                <Descriptions.Item label={t.release}>
                  <span data-testid="rollout-release">{releaseText(t, st)}</span>
                </Descriptions.Item>
                {/* The step and its state only while a release is in progress: afterwards the status keeps what the last one left. */}
                <Descriptions.Item label={t.step}>{stepText(st)}</Descriptions.Item>
                <Descriptions.Item label={t.state}>{st.active ? <ApiValue kind="stepState" value={st.currentStepState} testId="rollout-state" /> : <span data-testid="rollout-state">-</span>}</Descriptions.Item>
                {/* Counts of a release only while one is in progress (else they are stale or zero). */}
                {st.active && (
                  <Descriptions.Item label={t.updated}>
                    <ReleaseProgress st={st} total={total} />
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t.lastUpdate}><Ago ts={st.lastUpdateTime} /></Descriptions.Item>
                <Descriptions.Item label={t.message} span={3}><Raw>{st.message}</Raw></Descriptions.Item>
              </Descriptions>
              {notObservedText(t, st) && <Alert type="info" showIcon message={notObservedText(t, st)} data-testid="not-observed" style={{ marginTop: 8 }} />}
              {st.waitingForApproval && <Alert type="warning" showIcon message={t.waitingApproval} data-testid="waiting-approval" style={{ marginTop: 8 }} />}
              <Space style={{ marginTop: 12 }} wrap>
                {offered?.approve && (
                  <ActionButton
                    type="primary"
                    testId="approve-button"
                    permission={approvePermission(t, st, can.rollout("approve"))}
                    label={t.approve}
                    title={rawFmt(t.approveStepTitle, { step: st.currentStepIndex, name })}
                    command={cmd.approve}
                    body={<>{line(approveText(t, st, total), "approve-summary")}<ReasonField value={reason} onChange={setReason} /></>}
                    run={() => approveRollout(ns, name, st.currentStepIndex, reason).then((r) => (setReason(""), r))}
                    onDone={done}
                  />
                )}
                {offered?.resume && (
                  <ActionButton
                    testId="resume-button"
                    permission={can.rollout("resume")}
                    label={t.resume}
                    title={titled(t.resume)}
                    command={cmd.resume}
                    body={line(resumeText(t, st), "resume-summary")}
                    run={() => resumeRollout(ns, name)}
                    onDone={done}
                  />
                )}
                {offered?.pause && (
                  <ActionButton
                    testId="pause-button"
                    permission={can.rollout("pause")}
                    label={t.pauseRollout}
                    title={titled(t.pauseRollout)}
                    command={cmd.pause}
                    body={line(pauseText(t, st), "pause-summary")}
                    run={() => pauseRollout(ns, name)}
                    onDone={done}
                  />
                )}
                {offered?.undo && (
                  <ActionButton
                    danger
                    testId="undo-button"
                    permission={can.workload(wtype, "undo")}
                    label={t.undo}
                    title={titled(t.undo)}
                    command={undoCommand}
                    body={
                      <Space direction="vertical" style={{ width: "100%" }}>
                        <label htmlFor="undo-revision">{t.undoTo}</label>
                        <Select
                          id="undo-revision"
                          aria-label={t.undoTo}
                          data-testid="undo-revision-select"
                          style={{ width: "100%" }}
                          value={undoTo ?? 0}
                          onChange={(v: number) => setUndoTo(v === 0 ? undefined : v)}
                          options={[
                            { value: 0, label: t.previousRevision },
                            ...revisions.map((r) => ({ value: r.revision, label: `${r.revision} · ${r.name} · ${r.images.join(", ")}` })),
                          ]}
                        />
                      </Space>
                    }
                    preview={{
                      key: String(undoTo ?? ""),
                      load: () => undoRollout(ns, name, undoTo, true),
                      render: (r) => <UndoPreview result={r as UndoResult} rollout={name} />,
                    }}
                    run={() => undoRollout(ns, name, undoTo)}
                    onDone={(r) => {
                      setUndoTo(undefined);
                      done(r);
                    }}
                  />
                )}
                {offered?.restart && (
                  <ActionButton
                    label={t.restart}
                    testId="restart-button"
                    permission={can.workload(wtype, "restart")}
                    title={<>{t.restart} <Raw>{workloadText(st.workload, types, t.locale)}</Raw></>}
                    command={cmd.restart(workloadResource, st.workload.name)}
                    preview={{ load: () => restartRollout(ns, name, true), render: (r) => <RestartPreview result={r as RestartResult} rollout={name} /> }}
                    run={() => restartRollout(ns, name)}
                    onDone={done}
                  />
                )}
                {offered?.enable && (
                  <ActionButton
                    label={t.enable}
                    testId="enable-button"
                    permission={can.rollout("enable")}
                    title={titled(t.enable)}
                    command={cmd.enable}
                    body={line(enableText(t, st, rawFmt), "enable-summary")}
                    run={() => setRolloutDisabled(ns, name, false)}
                    onDone={done}
                  />
                )}
                {offered?.disable && (
                  <ActionButton
                    danger
                    label={t.disable}
                    testId="disable-button"
                    permission={can.rollout("disable")}
                    title={titled(t.disable)}
                    command={cmd.disable}
                    body={line(disableText(t, st, total, rawFmt), "disable-summary")}
                    run={() => setRolloutDisabled(ns, name, true)}
                    onDone={done}
                  />
                )}
              </Space>
              <EvidencePanel st={st} matches={release} />
            </Card>
            <PodGrid st={st} />
            <Card title={t.steps}>
              <StepTimeline st={st} />
            </Card>
            <ReleaseTimeline ns={ns} name={name} />
            <TrafficPanel ns={ns} name={name} />
            <EventsCard events={events} />
            <Card title={t.history}>
              <Loadable loading={history.loading} error={history.error}>
                <Table<Revision>
                  size="small"
                  rowKey="name"
                  dataSource={history.data?.revisions ?? []}
                  pagination={false}
                  locale={{ emptyText: t.empty }}
                  columns={[
                    { title: t.revision, dataIndex: "revision" },
                    { title: t.name, render: (_, r) => <Raw>{r.name}</Raw> },
                    { title: t.images, render: (_, r) => <Raw>{r.images.join(", ")}</Raw> },
                    { title: t.changeCause, render: (_, r) => <Raw>{r.changeCause ?? "-"}</Raw> },
                    { title: t.created, render: (_, r) => <Ago ts={r.created} /> },
                    {
                      title: "",
                      render: (_, r) => (
                        <>
                          {r.current && <Tag color="processing">{t.current}</Tag>}
                          {r.stable && <Tag color="success">{t.stable}</Tag>}
                          {r.canary && <Tag color="warning">{t.canary}</Tag>}
                        </>
                      ),
                    },
                  ]}
                />
              </Loadable>
            </Card>
          </Space>
        )}
      </Loadable>
    </>
  );
}

/**
 * The steps, with the waiting step marked. Outside a release no step is current: a finished
 * release shows every step done, a cancelled or never-started one none.
 */
export function StepTimeline({ st }: { st: RolloutStatus }) {
  const t = useT();
  const cur = st.currentStepIndex;
  const finished = !st.active && st.currentStepState === "Completed" && cur === st.steps.length;
  const waitsFor = new Map(personSteps(st).map((p) => [p.index, p.waitsForPerson]));
  return (
    <Steps
      data-testid="step-timeline"
      direction="vertical"
      size="small"
      current={st.active ? cur - 1 : finished ? st.steps.length : -1}
      items={st.steps.map((s) => {
        const isCurrent = st.active && s.index === cur;
        const waiting = isCurrent && st.waitingForApproval;
        const status: "wait" | "process" | "finish" = finished || (st.active && s.index < cur) ? "finish" : isCurrent ? "process" : "wait";
        return {
          status,
          title: (
            <Space size={4} wrap>
              <span>{`${t.step} ${s.index}: ${t.replicas} ${s.replicas ?? "-"}`}</span>
              {waiting && (
                <Tag color="warning" data-testid="waiting-step">
                  {t.stepWaiting}
                </Tag>
              )}
              {isCurrent && !waiting && <Tag color="processing">{st.currentStepState ? <ApiValue kind="stepState" value={st.currentStepState} /> : t.current}</Tag>}
            </Space>
          ),
          description: [
            s.traffic ? `${t.traffic} ${s.traffic}` : null,
            // A manual pause on a last step at 100% is not a wait: the controller goes on.
            waitsFor.get(s.index) ? `${t.pause}: ${t.manual}` : s.manual ? t.goesOn : `${t.pause}: ${duration(`${s.pauseSeconds}s`, t)}`,
            isCurrent && st.autoResumeAt ? fmt(t.resumesAt, { time: new Date(st.autoResumeAt).toLocaleTimeString(t.locale, { hourCycle: "h23" }) }) : null,
          ]
            .filter(Boolean)
            .join(" · "),
        };
      })}
    />
  );
}

/**
 * Which of a Rollout's actions mean something in its state. Approve: a step waits for a person
 * (disabled with "resume first" while paused). Pause: only a release in progress can be held (on a
 * finished Rollout it would silently hold the next one). Resume: whenever the pause flag is set.
 * Undo: there is a revision to go back to (during a release it cancels it, after one it releases
 * the old template). Restart: no release in progress (the server refuses one on top of a release
 * in flight). Enable / disable: whichever it is not. Nothing while it is being deleted.
 */
export function offeredActions(st: RolloutStatus, hasPreviousRevision: boolean) {
  const gone = st.release === "terminating";
  return {
    approve: !gone && st.waitingForApproval,
    pause: !gone && st.active && !st.paused && !st.disabled,
    resume: !gone && st.paused,
    undo: !gone && hasPreviousRevision,
    restart: !gone && !st.active,
    enable: !gone && st.disabled,
    disable: !gone && !st.disabled,
  };
}

/**
 * Approve on a paused Rollout: not offered — disabled with "resume first" (the controller starts
 * nothing while paused and may drop an approval given then); otherwise the user's permission.
 */
export const approvePermission = (t: Messages, st: Pick<RolloutStatus, "paused">, allowed: Permission): Permission =>
  st.paused ? { allowed: false, reason: t.resumeFirst } : allowed;

/** The pods a workload runs when it is whole: spec.replicas (a DaemonSet's desired number scheduled). */
function podTotal(w: Workload | undefined): number | undefined {
  if (!w) return undefined;
  const n = w.kind === "DaemonSet" ? w.status?.desiredNumberScheduled : (w.spec?.replicas ?? 1);
  return typeof n === "number" ? n : undefined;
}

/** "x of N updated, y ready" for the current step, N from the step (and the workload for a percentage). */
function ReleaseProgress({ st, total }: { st: RolloutStatus; total: number | undefined }) {
  const t = useT();
  const step = st.steps[st.currentStepIndex - 1];
  const percent = typeof step?.replicas === "string" && step.replicas.endsWith("%");
  const n = step ? stepTarget(step.replicas, total) : undefined;
  const text =
    n !== undefined
      ? fmt(t.updatedOf, { x: st.updatedReplicas, n, ready: st.updatedReadyReplicas })
      : fmt(t.updatedNoTarget, { x: st.updatedReplicas, ready: st.updatedReadyReplicas, target: step?.replicas ?? "-" });
  return (
    <span data-testid="rollout-updated">
      {percent && n !== undefined ? <Tooltip title={`${step?.replicas} × ${total}`}>{text}</Tooltip> : text}
    </span>
  );
}

function UndoPreview({ result, rollout }: { result: UndoResult; rollout: string }) {
  const t = useT();
  const nameOf = useWorkloadText();
  if (!result) return null;
  if (result.dryRun === false) return <Alert type="error" showIcon message={result.message} />;
  if (!result.changed) return <Alert type="info" showIcon message={<>{t.noChange} <Raw>{result.message}</Raw></>} data-testid="no-change" />;
  const images = Object.entries(result.images ?? {});
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="undo-preview">
      <Typography.Text>
        {rawFmt(t.undoSummary, { workload: nameOf(result.workload), from: result.fromRevision, to: result.toRevision, toName: result.toName })}
      </Typography.Text>
      {images.length > 0 && (
        <div>
          {t.targetImages}:
          <ul style={{ margin: 0 }}>
            {images.map(([c, i]) => (
              <li key={c}>
                <Raw>{c}</Raw>: <Typography.Text code translate="no">{i}</Typography.Text>
              </li>
            ))}
          </ul>
        </div>
      )}
      {result.diff && <Changes diff={result.diff} />}
      <ReleaseNote rollout={rollout} startsRelease={result.startsRelease === true} steps={result.steps ?? []} explanation={result.explanation} case={result.case} />
    </Space>
  );
}

function RestartPreview({ result, rollout }: { result: RestartResult; rollout: string }) {
  if (!result) return null;
  if (result.dryRun === false) return <Alert type="error" showIcon message={result.message} />;
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="restart-preview">
      {/* The diff and the note say what the server's English message says in one sentence. */}
      {result.diff && <Changes diff={result.diff} />}
      <ReleaseNote rollout={rollout} startsRelease={result.startsRelease === true} steps={result.steps ?? []} explanation={result.explanation} case={result.case} />
    </Space>
  );
}

