import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { Alert, App, Button, Card, Descriptions, Input, InputNumber, Space, Table, Tag, Typography } from "antd";
import { deleteWorkload, getWorkloadEvents, getWorkloadRollout, getWorkloadWithPods, restartWorkload, scaleWorkload, setWorkloadImage } from "../api/workload";
import type { Pod, SetImageResult, Workload, WorkloadRollout } from "../api/types";
import { ActionButton, Ago, Changes, EventsCard, Loadable, ReleaseNote, SLOW_REFRESH_MS, Title, usePoll, waitingSteps } from "../components/common";
import { rolloutChange, workloadChange } from "../live";
import { PodLogsDrawer, type LogTarget } from "../components/PodLogs";
import { useCan } from "../auth";
import { useWorkloadTypes } from "../App";
import { fmt, useT, type Messages } from "../i18n";
import { containersOf, fieldsOf, kubectl, setImageCommand, stateColor, stateLabel, stateOf } from "../workloadSummary";
import { toYaml } from "../yaml";
import { rolloutPath, stepText } from "./Overview";
import { personSteps } from "../rolloutSteps";

type Action = "scale" | "restart" | "setImage" | "delete";

/** What the confirm dialog of an action says about the Rollout governing the workload. */
export function rolloutWarning(t: Messages, action: Action, rollout: { data?: WorkloadRollout | null; error: unknown; loading: boolean }): React.ReactNode {
  if (rollout.error) {
    const why = rollout.error instanceof Error ? rollout.error.message : String(rollout.error);
    return `${t.rolloutUnknown} ${why}`;
  }
  if (rollout.loading && rollout.data === undefined) return t.rolloutChecking;
  const r = rollout.data;
  if (!r) return undefined;
  const st = r.status;
  if (action === "delete") return fmt(t.deleteUnderRollout, { name: r.name });
  if (st.disabled) return fmt(t.rolloutDisabledNote, { name: r.name });
  const waits = waitingSteps(personSteps(st));
  const steps = waits ? fmt(t.rolloutStepsWait, { steps: waits }) : t.rolloutStepsNoWait;
  switch (action) {
    case "scale":
      return st.active ? fmt(t.scaleUnderRolloutActive, { name: r.name, step: stepText(st) }) : fmt(t.scaleUnderRollout, { name: r.name });
    case "restart":
      return `${fmt(t.restartUnderRollout, { name: r.name })} ${steps}`;
    case "setImage":
      return `${fmt(t.setImageUnderRollout, { name: r.name })} ${steps}`;
  }
}

export function WorkloadDetail({ ns }: { ns: string }) {
  const t = useT();
  const { type = "", name = "" } = useParams();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const info = useWorkloadTypes().find((ty) => ty.type === type);
  // The workload's changes reload it; its pods and events are not streamed (a pod's change shows in
  // the workload's status, a restart count or an event may not), so they also refresh slowly.
  const itself = { namespace: ns, matches: workloadChange(type, name), every: SLOW_REFRESH_MS };
  const detail = usePoll(() => getWorkloadWithPods(ns, type, name), [ns, type, name], { live: itself });
  const events = usePoll(() => getWorkloadEvents(ns, type, name), [ns, type, name], { live: itself });
  const governing = usePoll(() => getWorkloadRollout(ns, type, name), [ns, type, name], { live: { namespace: ns, matches: rolloutChange() } });
  const can = useCan();
  const [replicas, setReplicas] = useState<number | null>(null);
  const [confirmName, setConfirmName] = useState("");
  const [images, setImages] = useState<Record<string, string>>({});
  // The pod whose logs the drawer shows (kept while it closes, so its content does not vanish first).
  const [logs, setLogs] = useState<{ target: LogTarget; open: boolean }>();
  const w = detail.data?.workload;
  const kind = w?.kind ?? info?.kind ?? type;
  const done = (r?: unknown) => {
    const msg = (r as { message?: string } | undefined)?.message;
    message.success(msg || t.done);
    void detail.reload();
    void events.reload();
    void governing.reload();
  };
  const containers = w ? containersOf(w) : [];
  const newImages = Object.fromEntries(
    containers.filter((c) => (images[c.name] ?? "").trim() !== "" && images[c.name].trim() !== c.image).map((c) => [c.name, images[c.name].trim()]),
  );
  const imagesValid = Object.keys(newImages).length > 0 && Object.values(newImages).every((i) => !/\s/.test(i));
  const warn = (action: Action) => rolloutWarning(t, action, governing);
  const listPath = `/workloads?ns=${encodeURIComponent(ns)}&type=${encodeURIComponent(type)}`;

  return (
    <>
      <Title>{`${kind} ${ns}/${name}`}</Title>
      <Loadable loading={detail.loading} error={detail.error} back={{ to: listPath, label: t.backToWorkloads }} onRetry={() => void detail.reload()}>
        {w && (
          <Space direction="vertical" style={{ width: "100%" }} size="large">
            <Card title={t.summary}>
              <Summary w={w} governing={governing} ns={ns} />
              <Space style={{ marginTop: 12 }} wrap>
                {info?.capabilities.scalable && (
                  <ActionButton
                    label={t.scale}
                    testId="scale-button"
                    permission={can.workload(type, "scale")}
                    title={`${t.scale} ${name}`}
                    command={kubectl("scale", w.kind, type, ns, name, replicas ?? undefined)}
                    warning={warn("scale")}
                    ready={replicas !== null && replicas >= 0}
                    body={<InputNumber aria-label={t.replicas} data-testid="replicas-input" min={0} precision={0} value={replicas} onChange={(v) => setReplicas(v)} />}
                    run={() => scaleWorkload(ns, type, name, replicas ?? 0)}
                    onDone={() => done()}
                  />
                )}
                {info?.capabilities.restartable && (
                  <ActionButton
                    label={t.restart}
                    testId="restart-button"
                    permission={can.workload(type, "restart")}
                    title={`${t.restart} ${name}`}
                    command={kubectl("restart", w.kind, type, ns, name)}
                    warning={warn("restart")}
                    run={() => restartWorkload(ns, type, name)}
                    onDone={() => done()}
                  />
                )}
                {info?.capabilities.imageSettable && containers.length > 0 && (
                  <ActionButton
                    label={t.setImage}
                    testId="set-image-button"
                    permission={can.workload(type, "setImage")}
                    title={`${t.setImage} ${name}`}
                    command={setImageCommand(w.kind, type, ns, name, newImages)}
                    warning={warn("setImage")}
                    ready={imagesValid}
                    body={<ImageInputs containers={containers} images={images} setImages={setImages} valid={imagesValid} />}
                    preview={{
                      key: JSON.stringify(newImages),
                      load: () => setWorkloadImage(ns, type, name, newImages, true),
                      render: (r) => <SetImagePreview result={r as SetImageResult} />,
                    }}
                    run={() => setWorkloadImage(ns, type, name, newImages, false)}
                    onDone={(r) => {
                      const res = r as SetImageResult;
                      setImages({});
                      done(res);
                      if (res?.rollout?.startsRelease) message.info(fmt(t.releaseStarted, { name: res.rollout.name }));
                    }}
                  />
                )}
                <ActionButton
                  danger
                  label={t.delete}
                  testId="delete-button"
                  permission={can.workload(type, "delete")}
                  title={`${t.delete} ${name}`}
                  command={kubectl("delete", w.kind, type, ns, name)}
                  warning={governing.data ? warn("delete") : undefined}
                  ready={confirmName === name}
                  body={<Input aria-label={t.typeNameToConfirm} data-testid="delete-confirm-input" placeholder={t.typeNameToConfirm} value={confirmName} onChange={(e) => setConfirmName(e.target.value)} />}
                  run={() => deleteWorkload(ns, type, name)}
                  onDone={() => navigate(listPath)}
                />
              </Space>
            </Card>
            <Card title={`${t.pods} (${detail.data?.pods.length ?? 0})`}>
              <Table<Pod>
                size="small"
                data-testid="pod-table"
                rowKey={(p) => p.metadata.name}
                dataSource={detail.data?.pods ?? []}
                locale={{ emptyText: t.empty }}
                pagination={{ pageSize: 50, hideOnSinglePage: true }}
                columns={[
                  { title: t.name, render: (_, p) => p.metadata.name },
                  { title: t.phase, render: (_, p) => <Tag>{p.status.phase ?? "-"}</Tag> },
                  { title: t.ready, render: (_, p) => (p.status.conditions?.find((c) => c.type === "Ready")?.status === "True" ? "✓" : "✗") },
                  { title: t.restarts, render: (_, p) => (p.status.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0) },
                  { title: t.images, render: (_, p) => p.spec.containers.map((c) => c.image).join(", ") },
                  { title: t.node, render: (_, p) => p.spec.nodeName ?? "-" },
                  // A Deployment's pods carry their ReplicaSet's template hash, not the revision number.
                  {
                    title: w.kind === "Deployment" ? t.templateHash : t.revision,
                    render: (_, p) => p.metadata.labels?.["controller-revision-hash"] ?? p.metadata.labels?.["pod-template-hash"] ?? "-",
                  },
                  { title: t.age, render: (_, p) => <Ago ts={p.metadata.creationTimestamp} /> },
                  {
                    title: t.actions,
                    render: (_, p) => (
                      <Button
                        size="small"
                        data-testid={`pod-logs-${p.metadata.name}`}
                        aria-label={fmt(t.logsOf, { pod: p.metadata.name })}
                        onClick={() => setLogs({ target: { pod: p.metadata.name, containers: p.spec.containers.map((c) => c.name) }, open: true })}
                      >
                        {t.logs}
                      </Button>
                    ),
                  },
                ]}
              />
            </Card>
            <PodLogsDrawer ns={ns} type={type} name={name} target={logs?.target} open={logs?.open ?? false} onClose={() => setLogs((l) => l && { ...l, open: false })} />
            <EventsCard events={events} />
            <Card title={t.yaml}>
              <pre tabIndex={0} role="region" aria-label={t.yamlLabel} style={{ maxHeight: 480, overflow: "auto", fontSize: 12 }} data-testid="yaml">
                {toYaml(w)}
              </pre>
            </Card>
          </Space>
        )}
      </Loadable>
    </>
  );
}

/** The summary: the kind's own fields under their own titles, the state, and the Rollout. */
function Summary({ w, governing, ns }: { w: Workload; governing: { data?: WorkloadRollout | null; error: unknown }; ns: string }) {
  const t = useT();
  const state = stateOf(w);
  const r = governing.data;
  return (
    <Descriptions size="small" column={3} data-testid="workload-summary">
      <Descriptions.Item label={t.state}>
        <Tag color={stateColor(state)} data-testid="workload-state">{t[stateLabel(state)]}</Tag>
      </Descriptions.Item>
      {fieldsOf(w.kind).map((f) => {
        const v = f.value(w);
        return (
          <Descriptions.Item key={f.key} label={t[f.title]}>
            {f.time ? <Ago ts={v as string | null} /> : <span data-testid={f.key}>{v === null ? "-" : String(v)}</span>}
          </Descriptions.Item>
        );
      })}
      <Descriptions.Item label={t.age}>
        <Ago ts={w.metadata.creationTimestamp} />
      </Descriptions.Item>
      <Descriptions.Item label="apiVersion">{w.apiVersion}</Descriptions.Item>
      <Descriptions.Item label={t.rollout}>
        <span data-testid="workload-rollout">
          {governing.error ? (
            "?"
          ) : r === undefined ? (
            "…"
          ) : r === null ? (
            t.noRollout
          ) : (
            <Space size={4} wrap>
              <Link to={rolloutPath(ns, r.name)} data-testid="workload-rollout-link">
                {r.name}
              </Link>
              <Tag color={r.status.active ? "processing" : "default"}>{r.status.phase || "-"}</Tag>
              {r.status.active && stepText(r.status) !== "-" && <span>{`${t.step} ${stepText(r.status)}`}</span>}
              {r.status.waitingForApproval && <Tag color="warning">{t.waitingApproval}</Tag>}
            </Space>
          )}
        </span>
      </Descriptions.Item>
    </Descriptions>
  );
}

/** One input per container, with its current image. */
function ImageInputs(props: { containers: { name: string; image: string }[]; images: Record<string, string>; setImages: (f: (m: Record<string, string>) => Record<string, string>) => void; valid: boolean }) {
  const t = useT();
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {props.containers.map((c) => (
        <div key={c.name}>
          <Typography.Text strong>{`${t.container} ${c.name}`}</Typography.Text>
          <div>
            {t.currentImage}: <Typography.Text code>{c.image}</Typography.Text>
          </div>
          <Input
            aria-label={fmt(t.newImageFor, { name: c.name })}
            placeholder={t.newImage}
            data-testid={`image-input-${c.name}`}
            value={props.images[c.name] ?? ""}
            onChange={(e) => {
              const v = e.target.value;
              props.setImages((m) => ({ ...m, [c.name]: v }));
            }}
          />
        </div>
      ))}
      {!props.valid && <Typography.Text>{t.imageRequired}</Typography.Text>}
    </Space>
  );
}

function SetImagePreview({ result }: { result: SetImageResult }) {
  const t = useT();
  if (!result) return null;
  if (!result.changed) return <Alert type="info" showIcon message={`${t.noChange} ${result.message}`} data-testid="no-change" />;
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="set-image-preview">
      {result.message && <Typography.Text>{result.message}</Typography.Text>}
      <Changes diff={result.diff ?? []} />
      {result.rollout ? (
        <ReleaseNote rollout={result.rollout.name} startsRelease={result.rollout.startsRelease} steps={result.rollout.steps ?? []} explanation={result.rollout.explanation} />
      ) : (
        <Alert type="info" showIcon message={t.noRolloutGoverns} data-testid="no-release" />
      )}
    </Space>
  );
}
