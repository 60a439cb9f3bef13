import { useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { App, Card, Descriptions, Input, InputNumber, Space, Table, Tag } from "antd";
import { deleteWorkload, getWorkloadEvents, getWorkloadWithPods, restartWorkload, scaleWorkload } from "../api/workload";
import type { Pod } from "../api/types";
import { ActionButton, age, EventsCard, Loadable, Title, usePoll } from "../components/common";
import { useCan } from "../auth";
import { useWorkloadTypes } from "../App";
import { useT } from "../i18n";
import { kubectl, summarize } from "../workloadSummary";
import { toYaml } from "../yaml";

export function WorkloadDetail({ ns }: { ns: string }) {
  const t = useT();
  const { type = "", name = "" } = useParams();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const info = useWorkloadTypes().find((ty) => ty.type === type);
  const detail = usePoll(() => getWorkloadWithPods(ns, type, name), [ns, type, name]);
  const events = usePoll(() => getWorkloadEvents(ns, type, name), [ns, type, name]);
  const can = useCan();
  const [replicas, setReplicas] = useState<number | null>(null);
  const [confirmName, setConfirmName] = useState("");
  const w = detail.data?.workload;
  const s = w ? summarize(w) : undefined;
  const done = () => {
    message.success(t.done);
    void detail.reload();
    void events.reload();
  };

  return (
    <>
      <Title>
        {info?.kind ?? type} {ns}/{name}
      </Title>
      <Loadable loading={detail.loading} error={detail.error}>
        {w && s && (
          <Space direction="vertical" style={{ width: "100%" }} size="large">
            <Card title={t.summary}>
              <Descriptions size="small" column={3} data-testid="workload-summary">
                <Descriptions.Item label={t.replicas}><span data-testid="replicas">{String(s.replicas)}</span></Descriptions.Item>
                <Descriptions.Item label={t.ready}>{s.ready}</Descriptions.Item>
                <Descriptions.Item label={t.updated}>{s.updated}</Descriptions.Item>
                <Descriptions.Item label={t.revision}>{s.revision}</Descriptions.Item>
                <Descriptions.Item label={t.age}>{age(w.metadata.creationTimestamp)}</Descriptions.Item>
                <Descriptions.Item label="apiVersion">{w.apiVersion}</Descriptions.Item>
              </Descriptions>
              <Space style={{ marginTop: 12 }}>
                {info?.capabilities.scalable && (
                  <ActionButton
                    label={t.scale}
                    testId="scale-button"
                    permission={can.workload(type, "scale")}
                    title={`${t.scale} ${name}`}
                    command={kubectl("scale", w.kind, type, ns, name, replicas ?? undefined)}
                    ready={replicas !== null && replicas >= 0}
                    body={<InputNumber aria-label={t.replicas} data-testid="replicas-input" min={0} value={replicas} onChange={(v) => setReplicas(v)} />}
                    run={() => scaleWorkload(ns, type, name, replicas ?? 0)}
                    onDone={done}
                  />
                )}
                {info?.capabilities.restartable && (
                  <ActionButton
                    label={t.restart}
                    testId="restart-button"
                    permission={can.workload(type, "restart")}
                    title={`${t.restart} ${name}`}
                    command={kubectl("restart", w.kind, type, ns, name)}
                    run={() => restartWorkload(ns, type, name)}
                    onDone={done}
                  />
                )}
                <ActionButton
                  danger
                  label={t.delete}
                  testId="delete-button"
                  permission={can.workload(type, "delete")}
                  title={`${t.delete} ${name}`}
                  command={kubectl("delete", w.kind, type, ns, name)}
                  ready={confirmName === name}
                  body={<Input aria-label={t.typeNameToConfirm} data-testid="delete-confirm-input" placeholder={t.typeNameToConfirm} value={confirmName} onChange={(e) => setConfirmName(e.target.value)} />}
                  run={() => deleteWorkload(ns, type, name)}
                  onDone={() => navigate(`/workloads?ns=${encodeURIComponent(ns)}&type=${type}`)}
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
                  { title: t.node, render: (_, p) => p.spec.nodeName ?? "-" },
                  { title: t.revision, render: (_, p) => p.metadata.labels?.["controller-revision-hash"] ?? p.metadata.labels?.["pod-template-hash"] ?? "-" },
                  { title: t.age, render: (_, p) => age(p.metadata.creationTimestamp) },
                ]}
              />
            </Card>
            <EventsCard events={events} />
            <Card title={t.yaml}>
              <pre style={{ maxHeight: 480, overflow: "auto", fontSize: 12 }} data-testid="yaml">{toYaml(w)}</pre>
            </Card>
          </Space>
        )}
      </Loadable>
    </>
  );
}
