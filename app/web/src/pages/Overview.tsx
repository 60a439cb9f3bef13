import { Link } from "react-router-dom";
import { Alert, Card, Col, Row, Space, Statistic, Table, Tag, Tooltip } from "antd";
import { getSummary } from "../api/summary";
import type { PodCounts, RolloutRow, TypeSummary } from "../api/types";
import { Loadable, SLOW_REFRESH_MS, Title, usePoll } from "../components/common";
import { fmt, useT } from "../i18n";
import { stateColor, stateLabel, type State } from "../workloadSummary";
import { useWorkloadTypes } from "../contexts";
import { PhaseTag, RolloutStateCell, stepText, WorkloadLink } from "../components/cells";
import { Raw, rawFmt } from "../components/raw";
import { ApiValue, TypeName } from "../components/values";
import { clusterPath, rolloutPath } from "../components/paths";
import { Favourites } from "../components/Favourites";
import { CLUSTER_NS, isClusterScoped } from "../workloadTypes";

export function Overview({ ns }: { ns: string }) {
  const t = useT();
  // Counted on the server, with the releases in flight in brief: the overview's one request. The
  // cluster metrics in it are not streamed, so they refresh slowly too.
  const summary = usePoll(() => getSummary(ns), [ns], { live: { namespace: ns, every: SLOW_REFRESH_MS } });
  // Cluster-scoped types (a SidecarSet) are in no namespace: counted under _cluster, shown whatever
  // namespace is picked. Their counts are left out when they cannot be read.
  const types = useWorkloadTypes();
  const hasCluster = types.some(isClusterScoped);
  const clusterWide = usePoll(() => (hasCluster ? getSummary(CLUSTER_NS).catch(() => null) : Promise.resolve(null)), [hasCluster], {
    live: hasCluster ? { namespace: CLUSTER_NS, every: SLOW_REFRESH_MS } : undefined,
  });
  const counts = [...(summary.data?.workloads ?? []), ...(clusterWide.data?.workloads ?? [])];
  const m = summary.data?.cluster;
  const inFlight = summary.data?.rollouts?.inFlight ?? [];
  const waiting = inFlight.filter((r) => r.waitingForApproval);
  const usageUnavailable = rawFmt(t.usageUnavailable, { api: "metrics.k8s.io" });

  return (
    <>
      <Title>{t.overview}</Title>
      <Loadable loading={summary.loading} error={summary.error}>
        {m ? (
          <Row gutter={16} data-testid="cluster-metrics">
            <Col span={4}><Card><Statistic title={t.nodes} value={m.nodes} suffix={<small>({m.ready_nodes} {t.readyNodes})</small>} /></Card></Col>
            <Col span={5}>
              <Card>
                <Tooltip title={m.usage_source === "unavailable" ? usageUnavailable : <Raw>{m.usage_source}</Raw>}>
                  <Statistic title={t.cpuUsage} value={m.cpu_usage ?? "—"} />
                </Tooltip>
                <small>{t.cpuRequested}: {m.cpu_requested}</small>
              </Card>
            </Col>
            <Col span={5}>
              <Card>
                <Statistic title={t.memoryUsage} value={m.memory_usage ?? "—"} />
                <small>{t.memoryRequested}: {m.memory_requested}</small>
              </Card>
            </Col>
            <Col span={5}>
              <PodsCard pods={summary.data?.pods} />
            </Col>
            <Col span={5}>
              <Card>
                <Statistic title={t.usageSource} value={m.usage_source} formatter={() => <ApiValue kind="usageSource" value={m.usage_source} testId="usage-source" />} valueStyle={{ fontSize: 18 }} />
                {m.usage_source === "unavailable" && <small>{usageUnavailable}</small>}
              </Card>
            </Col>
          </Row>
        ) : (
          summary.data && (
            <Row gutter={16}>
              {summary.data.pods && (
                <Col span={5}>
                  <PodsCard pods={summary.data.pods} />
                </Col>
              )}
              <Col span={summary.data.pods ? 19 : 24}>
                <Alert type="info" showIcon message={t.clusterHidden} data-testid="cluster-hidden" />
              </Col>
            </Row>
          )
        )}
      </Loadable>
      <Row gutter={16} style={{ marginTop: 16 }}>
        <Col span={8}>
          <Card title={<>{t.countsPerType} (<Raw>{ns}</Raw>)</>}>
            <Loadable loading={summary.loading} error={summary.error}>
              <Table<TypeSummary>
                size="small"
                pagination={false}
                rowKey="type"
                data-testid="type-counts"
                dataSource={summary.data ? counts : []}
                locale={{ emptyText: t.empty }}
                columns={[
                  {
                    title: t.type,
                    dataIndex: "kind",
                    render: (k, r) => {
                      const ty = types.find((x) => x.type === r.type);
                      return (
                        <>
                          <Link to={clusterPath(`/workloads?ns=${encodeURIComponent(ns)}&type=${r.type}`)}>{ty ? <TypeName ty={ty} all={types} /> : <Raw>{k}</Raw>}</Link>
                          {isClusterScoped(ty) && <Tag style={{ marginInlineStart: 6 }}>{t.clusterScoped}</Tag>}
                        </>
                      );
                    },
                  },
                  { title: "#", dataIndex: "total" },
                  { title: t.state, render: (_, r) => <StateCounts ns={ns} summary={r} /> },
                ]}
              />
            </Loadable>
          </Card>
        </Col>
        <Col span={16}>
          <Card title={`${t.waitingApproval} (${waiting.length})`} extra={<Link to={clusterPath(`/inbox?ns=${encodeURIComponent(ns)}`)}>{t.inboxOpen}</Link>} style={{ marginBottom: 16 }}>
            <RolloutTable rows={waiting} ns={ns} loading={summary.loading} error={summary.error} />
          </Card>
          <Card title={`${t.activeRollouts} (${summary.data?.rollouts?.active ?? 0})`}>
            <RolloutTable rows={inFlight} ns={ns} loading={summary.loading} error={summary.error} />
          </Card>
        </Col>
      </Row>
      <Favourites hideEmpty />
    </>
  );
}

/**
 * The namespace's pods (as every other card here is the namespace's), counted as `kubectl get pods
 * -n` lists them — finished ones too — and said so: "26 · 23 running · 3 finished".
 */
export function PodsCard({ pods }: { pods?: PodCounts | null }) {
  const t = useT();
  if (!pods) return <Card><Statistic title={t.pods} value="—" /></Card>;
  const finished = pods.succeeded + pods.failed;
  const parts = [
    [pods.running, t.running],
    [pods.pending, t.podsPending],
    [finished, t.podsFinished],
    [pods.other, t.podsOther],
  ].filter(([n], i) => i === 0 || Number(n) > 0);
  return (
    <Card data-testid="namespace-pods">
      <Tooltip title={fmt(t.podsHelp, { ns: pods.namespace })}>
        <Statistic title={rawFmt(t.podsIn, { ns: pods.namespace })} value={pods.total} />
      </Tooltip>
      <small data-testid="namespace-pods-phases">{parts.map(([n, label]) => `${n} ${label}`).join(" · ")}</small>
    </Card>
  );
}

/** A type's count per state, each linked to the list filtered by that state. */
function StateCounts({ ns, summary }: { ns: string; summary: TypeSummary }) {
  const t = useT();
  const states = Object.entries(summary.states ?? {}).filter(([, n]) => n > 0) as [State, number][];
  if (states.length === 0) return <>-</>;
  return (
    <Space size={[0, 4]} wrap>
      {states.map(([s, n]) => (
        <Link key={s} to={`/workloads?ns=${encodeURIComponent(ns)}&type=${summary.type}&state=${s}`} data-testid={`state-count-${summary.type}-${s}`}>
          <Tag color={stateColor(s)}>{`${t[stateLabel(s)] ?? s} ${n}`}</Tag>
        </Link>
      ))}
    </Space>
  );
}

export function RolloutTable({ rows, ns, loading, error }: { rows: RolloutRow[]; ns: string; loading: boolean; error: unknown }) {
  const t = useT();
  return (
    <Loadable loading={loading} error={error}>
      <Table
        size="small"
        rowKey={(r) => r.namespace + "/" + r.name}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t.empty }}
        columns={[
          { title: t.name, render: (_, r) => <Link to={rolloutPath(r.namespace || ns, r.name)} translate="no">{r.name}</Link> },
          { title: t.workload, render: (_, r) => <WorkloadLink r={r} ns={ns} /> },
          { title: t.phase, render: (_, r) => <PhaseTag r={r} /> },
          { title: t.step, render: (_, r) => stepText(r) },
          { title: t.state, render: (_, r) => <RolloutStateCell r={r} /> },
        ]}
      />
    </Loadable>
  );
}
