import { useState } from "react";
import { useParams } from "react-router-dom";
import { Alert, App, Card, Descriptions, InputNumber, Select, Space, Steps, Table, Tag, Tooltip, Typography } from "antd";
import {
  approveRollout,
  getRolloutEvents,
  getRolloutHistory,
  getRolloutStatus,
  pauseRollout,
  promoteRollout,
  restartRollout,
  resumeRollout,
  setRolloutDisabled,
  undoRollout,
} from "../api/rollout";
import { getWorkload } from "../api/workload";
import type { ActionResult, RestartResult, Revision, RolloutStatus, UndoResult, WatchChange } from "../api/types";
import { ActionButton, Ago, Changes, duration, EventsCard, Loadable, ReleaseNote, SLOW_REFRESH_MS, Title, usePoll } from "../components/common";
import { rolloutChange, workloadChange } from "../live";
import { useCan } from "../auth";
import { useWorkloadTypes } from "../contexts";
import { rolloutCommands } from "../components/commands";
import { fmt, useT } from "../i18n";
import { stepText, WorkloadLink } from "../components/cells";
import { Raw, rawFmt } from "../components/raw";
import { ApiValue } from "../components/values";
import { personSteps, stepTarget } from "../rolloutSteps";

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
  const [promoteTo, setPromoteTo] = useState<number | null>(null);
  const [undoTo, setUndoTo] = useState<number | undefined>(undefined);
  const st = status.data;
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
  const subStatus = st?.strategy === "blueGreen" ? "blueGreenStatus" : "canaryStatus";
  const undoCommand = cmd.undo(undoTo);
  // kubectl's name of the workload's type: "statefulset" alone would be apps/v1's, not Kruise's.
  const workloadResource = types.find((ty) => ty.type === wtype)?.commands.resource ?? wtype;
  const revisions = (history.data?.revisions ?? []).filter((r) => !r.current);
  const titled = (verb: string) => <>{verb} <Raw>{name}</Raw></>;

  return (
    <>
      <Title label={`${t.rollout} ${ns}/${name}`}>
        {t.rollout} <Raw>{`${ns}/${name}`}</Raw>
      </Title>
      <Loadable loading={status.loading} error={status.error} back={{ to: `/rollouts?ns=${encodeURIComponent(ns)}`, label: t.backToRollouts }} onRetry={() => void status.reload()}>
        {st && (
          <Space direction="vertical" style={{ width: "100%" }} size="large">
            <Card title={t.status}>
              <Descriptions size="small" column={3} data-testid="rollout-summary">
                <Descriptions.Item label={t.phase}><Tag color={st.active ? "processing" : "success"} data-testid="rollout-phase"><ApiValue kind="rolloutPhase" value={st.phase} /></Tag></Descriptions.Item>
                <Descriptions.Item label={t.strategy}><ApiValue kind="strategy" value={st.strategy} /></Descriptions.Item>
                <Descriptions.Item label={t.workload}><WorkloadLink r={st} ns={ns} /></Descriptions.Item>
                <Descriptions.Item label={t.step}>{stepText(st)}</Descriptions.Item>
                <Descriptions.Item label={t.state}><ApiValue kind="stepState" value={st.currentStepState} testId="rollout-state" /></Descriptions.Item>
                {/* Counts of a release only while one is in progress (else they are stale or zero). */}
                {st.active && (
                  <Descriptions.Item label={t.updated}>
                    <ReleaseProgress st={st} ns={ns} />
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t.lastUpdate}><Ago ts={st.lastUpdateTime} /></Descriptions.Item>
                <Descriptions.Item label={t.message} span={3}><Raw>{st.message}</Raw></Descriptions.Item>
              </Descriptions>
              {st.waitingForApproval && <Alert type="warning" showIcon message={t.waitingApproval} data-testid="waiting-approval" style={{ marginTop: 8 }} />}
              <Space style={{ marginTop: 12 }} wrap>
                {st.waitingForApproval && (
                  <ActionButton type="primary" testId="approve-button" permission={can.rollout("approve")} label={t.approve} title={titled(t.approve)} command={cmd.approve} run={() => approveRollout(ns, name)} onDone={done} />
                )}
                {st.paused ? (
                  <ActionButton testId="resume-button" permission={can.rollout("resume")} label={t.resume} title={titled(t.resume)} command={cmd.resume} run={() => resumeRollout(ns, name)} onDone={done} />
                ) : (
                  <ActionButton testId="pause-button" permission={can.rollout("pause")} label={t.pauseRollout} title={titled(t.pauseRollout)} command={cmd.pause} run={() => pauseRollout(ns, name)} onDone={done} />
                )}
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
                <ActionButton
                  label={t.restart}
                  testId="restart-button"
                  permission={can.workload(wtype, "restart")}
                  title={<>{t.restart} <Raw>{`${st.workload.kind}/${st.workload.name}`}</Raw></>}
                  command={cmd.restart(workloadResource, st.workload.name)}
                  preview={{ load: () => restartRollout(ns, name, true), render: (r) => <RestartPreview result={r as RestartResult} rollout={name} /> }}
                  run={() => restartRollout(ns, name)}
                  onDone={done}
                />
                {st.active && st.steps.length > 0 && (
                  <ActionButton
                    label={t.promote}
                    testId="promote-button"
                    permission={can.rollout("promote")}
                    title={titled(t.promote)}
                    command={cmd.promote(subStatus, promoteTo ?? st.steps.length)}
                    body={
                      <InputNumber
                        controls={false}
                        aria-label={t.promoteTo}
                        placeholder={t.promoteTo}
                        data-testid="promote-to-input"
                        min={1}
                        max={st.steps.length}
                        value={promoteTo}
                        onChange={(v) => setPromoteTo(v)}
                        style={{ width: 240 }}
                      />
                    }
                    run={() => promoteRollout(ns, name, promoteTo ?? undefined)}
                    onDone={done}
                  />
                )}
                {st.disabled ? (
                  <ActionButton
                    label={t.enable}
                    testId="enable-button"
                    permission={can.rollout("enable")}
                    title={titled(t.enable)}
                    command={cmd.enable}
                    run={() => setRolloutDisabled(ns, name, false)}
                    onDone={done}
                  />
                ) : (
                  <ActionButton
                    danger
                    label={t.disable}
                    testId="disable-button"
                    permission={can.rollout("disable")}
                    title={titled(t.disable)}
                    command={cmd.disable}
                    run={() => setRolloutDisabled(ns, name, true)}
                    onDone={done}
                  />
                )}
              </Space>
            </Card>
            <Card title={t.steps}>
              <StepTimeline st={st} />
            </Card>
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

/** "x of N updated, y ready" for the current step, N from the step (and the workload for a percentage). */
function ReleaseProgress({ st, ns }: { st: RolloutStatus; ns: string }) {
  const t = useT();
  const step = st.steps[st.currentStepIndex - 1];
  const percent = typeof step?.replicas === "string" && step.replicas.endsWith("%");
  const w = usePoll(() => (percent && st.workload.type ? getWorkload(ns, st.workload.type, st.workload.name) : Promise.resolve(undefined)), [ns, st.workload.type, st.workload.name, percent], {
    live: { namespace: ns, matches: workloadChange(st.workload.type, st.workload.name) },
  });
  const total = w.data ? (w.data.kind === "DaemonSet" ? w.data.status?.desiredNumberScheduled : (w.data.spec?.replicas ?? 1)) : undefined;
  const n = step ? stepTarget(step.replicas, typeof total === "number" ? total : undefined) : undefined;
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
  if (!result) return null;
  if (result.dryRun === false) return <Alert type="error" showIcon message={result.message} />;
  if (!result.changed) return <Alert type="info" showIcon message={<>{t.noChange} <Raw>{result.message}</Raw></>} data-testid="no-change" />;
  const images = Object.entries(result.images ?? {});
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="undo-preview">
      <Typography.Text>
        {rawFmt(t.undoSummary, { workload: `${result.workload.kind}/${result.workload.name}`, from: result.fromRevision, to: result.toRevision, toName: result.toName })}
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
      <ReleaseNote rollout={rollout} startsRelease={result.startsRelease === true} steps={result.steps ?? []} explanation={result.explanation} />
    </Space>
  );
}

function RestartPreview({ result, rollout }: { result: RestartResult; rollout: string }) {
  if (!result) return null;
  if (result.dryRun === false) return <Alert type="error" showIcon message={result.message} />;
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="restart-preview">
      {result.message && <Typography.Text translate="no">{result.message}</Typography.Text>}
      <ReleaseNote rollout={rollout} startsRelease={result.startsRelease === true} steps={result.steps ?? []} explanation={result.explanation} />
    </Space>
  );
}

