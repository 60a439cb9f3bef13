import { useState } from "react";
import { useParams } from "react-router-dom";
import { Alert, App, Card, Descriptions, InputNumber, Space, Steps, Table, Tag } from "antd";
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
import type { ActionResult, Revision } from "../api/types";
import { ActionButton, age, EventsCard, Loadable, Title, usePoll } from "../components/common";
import { useCan } from "../auth";
import { useT } from "../i18n";

export function RolloutDetail({ ns }: { ns: string }) {
  const t = useT();
  const { name = "" } = useParams();
  const { message } = App.useApp();
  const status = usePoll(() => getRolloutStatus(ns, name), [ns, name]);
  const history = usePoll(() => getRolloutHistory(ns, name), [ns, name], 15000);
  const events = usePoll(() => getRolloutEvents(ns, name), [ns, name]);
  const can = useCan();
  const [promoteTo, setPromoteTo] = useState<number | null>(null);
  const st = status.data;
  const kk = `kubectl-kruise rollout`;
  const done = (r: unknown) => {
    const res = r as Partial<ActionResult>;
    message.success(res?.message ?? t.done);
    if (res?.warning) message.warning(res.warning);
    void status.reload();
    void history.reload();
    void events.reload();
  };
  const current = st ? st.currentStepIndex - 1 : -1;
  const wtype = st?.workload.type ?? "";
  const subStatus = st?.strategy === "blueGreen" ? "blueGreenStatus" : "canaryStatus";

  return (
    <>
      <Title>Rollout {ns}/{name}</Title>
      <Loadable loading={status.loading} error={status.error}>
        {st && (
          <Space direction="vertical" style={{ width: "100%" }} size="large">
            <Card title={t.status}>
              <Descriptions size="small" column={3} data-testid="rollout-summary">
                <Descriptions.Item label={t.phase}><Tag color={st.active ? "processing" : "success"} data-testid="rollout-phase">{st.phase || "-"}</Tag></Descriptions.Item>
                <Descriptions.Item label={t.strategy}>{st.strategy}</Descriptions.Item>
                <Descriptions.Item label={t.workload}>{st.workload.kind}/{st.workload.name}</Descriptions.Item>
                <Descriptions.Item label={t.step}>{st.currentStepIndex ? `${st.currentStepIndex}/${st.steps.length}` : "-"}</Descriptions.Item>
                <Descriptions.Item label={t.state}><span data-testid="rollout-state">{st.currentStepState || "-"}</span></Descriptions.Item>
                <Descriptions.Item label={t.updated}>{st.updatedReplicas} ({st.updatedReadyReplicas} {t.ready})</Descriptions.Item>
                <Descriptions.Item label={t.message} span={3}>{st.message}</Descriptions.Item>
              </Descriptions>
              {st.waitingForApproval && <Alert type="warning" showIcon message={t.waitingApproval} data-testid="waiting-approval" style={{ marginTop: 8 }} />}
              <Space style={{ marginTop: 12 }} wrap>
                {st.waitingForApproval && (
                  <ActionButton type="primary" testId="approve-button" permission={can.rollout("approve")} label={t.approve} title={`${t.approve} ${name}`} command={`${kk} approve rollout/${name} -n ${ns}`} run={() => approveRollout(ns, name)} onDone={done} />
                )}
                {st.paused ? (
                  <ActionButton testId="resume-button" permission={can.rollout("resume")} label={t.resume} title={`${t.resume} ${name}`} command={`${kk} resume rollout/${name} -n ${ns}`} run={() => resumeRollout(ns, name)} onDone={done} />
                ) : (
                  <ActionButton testId="pause-button" permission={can.rollout("pause")} label={t.pauseRollout} title={`${t.pauseRollout} ${name}`} command={`${kk} pause rollout/${name} -n ${ns}`} run={() => pauseRollout(ns, name)} onDone={done} />
                )}
                <ActionButton danger testId="undo-button" permission={can.workload(wtype, "undo")} label={t.undo} title={`${t.undo} ${name}`} command={`${kk} undo rollout/${name} -n ${ns}`} run={() => undoRollout(ns, name)} onDone={done} />
                <ActionButton
                  label={t.restart}
                  testId="restart-button"
                  permission={can.workload(wtype, "restart")}
                  title={`${t.restart} ${st.workload.kind}/${st.workload.name}`}
                  command={`${kk} restart ${st.workload.kind.toLowerCase()}/${st.workload.name} -n ${ns}`}
                  run={() => restartRollout(ns, name)}
                  onDone={done}
                />
                {st.active && st.steps.length > 0 && (
                  <ActionButton
                    label={t.promote}
                    testId="promote-button"
                    permission={can.rollout("promote")}
                    title={`${t.promote} ${name}`}
                    command={`kubectl patch rollout ${name} -n ${ns} --subresource status --type merge -p '{"status":{"${subStatus}":{"nextStepIndex":${promoteTo ?? st.steps.length}}}}'`}
                    body={
                      <InputNumber
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
                    title={`${t.enable} ${name}`}
                    command={`kubectl patch rollout ${name} -n ${ns} --type merge -p '{"spec":{"disabled":false}}'`}
                    run={() => setRolloutDisabled(ns, name, false)}
                    onDone={done}
                  />
                ) : (
                  <ActionButton
                    danger
                    label={t.disable}
                    testId="disable-button"
                    permission={can.rollout("disable")}
                    title={`${t.disable} ${name}`}
                    command={`kubectl patch rollout ${name} -n ${ns} --type merge -p '{"spec":{"disabled":true}}'`}
                    run={() => setRolloutDisabled(ns, name, true)}
                    onDone={done}
                  />
                )}
              </Space>
            </Card>
            <Card title={t.steps}>
              <Steps
                data-testid="step-timeline"
                direction="vertical"
                size="small"
                current={current}
                status={st.waitingForApproval ? "wait" : st.active ? "process" : "finish"}
                items={st.steps.map((s) => ({
                  title: `${t.step} ${s.index}: ${t.replicas} ${s.replicas ?? "-"}`,
                  description: [
                    s.traffic ? `${t.traffic} ${s.traffic}` : null,
                    s.manual ? `${t.pause}: ${t.manual}` : `${t.pause}: ${s.pauseSeconds}s`,
                    s.index === st.currentStepIndex ? `${t.state}: ${st.currentStepState}` : null,
                  ].filter(Boolean).join(" · "),
                }))}
              />
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
                    { title: t.name, dataIndex: "name" },
                    { title: t.images, render: (_, r) => r.images.join(", ") },
                    { title: t.changeCause, render: (_, r) => r.changeCause ?? "-" },
                    { title: t.created, render: (_, r) => age(r.created) },
                    {
                      title: "",
                      render: (_, r) => (
                        <>
                          {r.current && <Tag color="blue">{t.current}</Tag>}
                          {r.stable && <Tag color="green">{t.stable}</Tag>}
                          {r.canary && <Tag color="orange">{t.canary}</Tag>}
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
