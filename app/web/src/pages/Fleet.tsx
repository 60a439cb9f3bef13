import { Link } from "react-router-dom";
import { Card, Col, Descriptions, Row, Space, Statistic, Tag, Typography } from "antd";
import { getFleetSummary } from "../api/fleet";
import type { FleetClusterSummary } from "../api/fleetTypes";
import { Loadable, Title, usePoll } from "../components/common";
import { MissingClusters, PartWhy, partMissing } from "../components/ClusterParts";
import { clusterPath } from "../components/paths";
import { Raw, rawFmt } from "../components/raw";
import { Favourites } from "../components/Favourites";
import { ClusterName, ClusterStateText, FLEET_REFRESH_MS } from "../fleet";
import { useFleet } from "../contexts";
import { useT } from "../i18n";

/** The fleet overview: a card per registered cluster, and the favourites. */
export function Fleet() {
  const t = useT();
  const summary = usePoll(getFleetSummary, [], FLEET_REFRESH_MS);
  const parts = summary.data?.clusters;
  return (
    <>
      <Title>{t.fleetTitle}</Title>
      <Typography.Paragraph>{t.fleetHelp}</Typography.Paragraph>
      <Loadable loading={summary.loading} error={summary.error} onRetry={() => void summary.reload()}>
        <MissingClusters parts={parts} />
        <Row gutter={[16, 16]} data-testid="fleet-cards">
          {(parts ?? []).map((c) => (
            <Col key={c.name} xs={24} md={12} xl={8}>
              <ClusterCard c={c} />
            </Col>
          ))}
        </Row>
      </Loadable>
      <Favourites />
    </>
  );
}

/** A count with what it counts; null is unknown (never 0). */
function Count({ title, value, testId }: { title: string; value: number | null; testId: string }) {
  const t = useT();
  return <Statistic title={title} value={value ?? t.fleetUnknown} data-testid={testId} valueStyle={{ fontSize: value === null ? 16 : undefined }} />;
}

/** One cluster's card: reachable or since when not, its last error, versions, counts, and links into it. */
export function ClusterCard({ c }: { c: FleetClusterSummary }) {
  const t = useT();
  const { clusters } = useFleet();
  const reg = clusters?.find((x) => x.name === c.name);
  const to = (path: string) => clusterPath(path, c.home ? "" : c.name);
  const version = (v: string) => (v ? <Raw>{v}</Raw> : <Tag>{t.fleetVersionNotFound}</Tag>);
  return (
    <Card
      data-testid="fleet-card"
      data-cluster={c.name}
      data-state={c.state}
      title={<ClusterName c={c} />}
      extra={
        <Space size="small" wrap>
          <Link to={to("/")}>{t.fleetOpenOverview}</Link>
          <Link to={to("/rollouts")}>{t.rollouts}</Link>
          <Link to={to("/workloads")}>{t.workloads}</Link>
        </Space>
      }
    >
      <Space direction="vertical" style={{ width: "100%" }}>
        <Typography.Text data-testid="fleet-state" type={c.reachable ? undefined : "danger"}>
          {c.reachable && c.state === "ready" ? t.fleetReachable : <ClusterStateText c={{ state: c.state, unreachableSince: c.unreachableSince, refused: reg?.refused ?? "" }} />}
        </Typography.Text>
        {c.lastError && (
          <Typography.Text type="secondary" data-testid="fleet-last-error">
            {rawFmt(t.clusterLastError, { error: c.lastError })}
          </Typography.Text>
        )}
        {partMissing(c) && (
          <Typography.Text data-testid="fleet-nothing">
            {t.fleetNothing}: <PartWhy p={c} />
          </Typography.Text>
        )}
        <Row gutter={8}>
          <Col span={6}>
            <Link to={to("/inbox")}>
              <Count title={t.fleetWaiting} value={c.waiting} testId="fleet-waiting" />
            </Link>
          </Col>
          <Col span={6}>
            <Link to={clusterPath("/attention")}>
              <Count title={t.fleetAttentionCount} value={c.attention} testId="fleet-attention" />
            </Link>
          </Col>
          <Col span={6}>
            <Count title={t.fleetRolloutsCount} value={c.rollouts} testId="fleet-rollouts" />
          </Col>
          <Col span={6}>
            <Count title={t.fleetWorkloadsCount} value={c.workloads} testId="fleet-workloads" />
          </Col>
        </Row>
        <Descriptions size="small" column={1} title={t.fleetVersions}>
          <Descriptions.Item label={<Raw>Kubernetes</Raw>}>{version(c.versions?.kubernetes ?? "")}</Descriptions.Item>
          <Descriptions.Item label={<Raw>OpenKruise</Raw>}>{version(c.versions?.openkruise ?? "")}</Descriptions.Item>
          <Descriptions.Item label={<Raw>Kruise Rollouts</Raw>}>{version(c.versions?.rollouts ?? "")}</Descriptions.Item>
          {reg?.source && (
            <Descriptions.Item label={t.fleetSource}>
              <Raw>{reg.source}</Raw>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Space>
    </Card>
  );
}
