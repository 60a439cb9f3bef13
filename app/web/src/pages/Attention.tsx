import { Link } from "react-router-dom";
import { Card, Space, Table, Tag, Typography } from "antd";
import { getFleetAttention } from "../api/fleet";
import type { AttentionItem, ClusterPart } from "../api/fleetTypes";
import { Ago, Loadable, Title, usePoll } from "../components/common";
import { PartWhy, partMissing } from "../components/ClusterParts";
import { rolloutPath, workloadPath } from "../components/paths";
import { Raw } from "../components/raw";
import { TypeOfId } from "../components/values";
import { FLEET_REFRESH_MS } from "../fleet";
import { fmt, useT, type Messages } from "../i18n";

/** An attention reason in words (an unknown one as the server wrote it). */
export const reasonText = (t: Messages, reason: string) => (t as unknown as Record<string, string>)[`attentionReason_${reason}`] ?? reason;

const reasonColor = (reason: string) => (reason === "worse" || reason === "failed" || reason === "crashloop" ? "error" : reason === "paused" ? "default" : "warning");

/** Where an item's page is, in its cluster. */
export const attentionPath = (i: AttentionItem) => (i.kind === "rollout" ? rolloutPath(i.namespace, i.name, i.cluster) : workloadPath(i.namespace, i.type, i.name, i.cluster));

/** The items of each cluster, in the order of the clusters' parts (then any cluster not in them). */
export function groupByCluster(items: AttentionItem[], parts: ClusterPart[] = []): { name: string; part?: ClusterPart; items: AttentionItem[] }[] {
  const names = [...parts.map((p) => p.name), ...items.map((i) => i.cluster)].filter((n, i, all) => all.indexOf(n) === i);
  return names.map((name) => ({ name, part: parts.find((p) => p.name === name), items: items.filter((i) => i.cluster === name) }));
}

/** Needs attention: GET /fleet/attention's items, grouped by cluster, each linking to its object. */
export function Attention() {
  const t = useT();
  const data = usePoll(getFleetAttention, [], FLEET_REFRESH_MS);
  const groups = groupByCluster(data.data?.items ?? [], data.data?.clusters);
  return (
    <>
      <Title>{t.attention}</Title>
      <Typography.Paragraph>{t.attentionHelp}</Typography.Paragraph>
      <Loadable loading={data.loading} error={data.error} onRetry={() => void data.reload()}>
        <Space direction="vertical" style={{ width: "100%" }} size="middle">
          {groups.map((g) => (
            <Card
              key={g.name}
              size="small"
              data-testid="attention-cluster"
              data-cluster={g.name}
              title={<Raw>{g.name}</Raw>}
              extra={<Typography.Text type="secondary">{fmt(t.attentionCount, { n: g.items.length })}</Typography.Text>}
            >
              {g.part && partMissing(g.part) && (
                <Typography.Paragraph data-testid="attention-missing">
                  {t.fleetNothing}: <PartWhy p={g.part} />
                </Typography.Paragraph>
              )}
              {(!g.part || !partMissing(g.part)) && <AttentionTable items={g.items} />}
            </Card>
          ))}
        </Space>
      </Loadable>
    </>
  );
}

/** One cluster's items: each object linked to its page, its type by name (never its id), the reason in words. */
export function AttentionTable({ items }: { items: AttentionItem[] }) {
  const t = useT();
  return (
    <Table<AttentionItem>
      size="small"
      data-testid="attention-table"
      rowKey={(i) => [i.kind, i.type, i.namespace, i.name, i.reason].join("/")}
      dataSource={items}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      locale={{ emptyText: t.attentionNone }}
      columns={[
        {
          key: "name",
          title: t.name,
          render: (_, i) => (
            <Link to={attentionPath(i)} translate="no" data-testid="attention-link-object">
              {i.namespace}/{i.name}
            </Link>
          ),
        },
        { key: "type", title: t.type, render: (_, i) => (i.kind === "rollout" ? t.rollout : <TypeOfId type={i.type} />) },
        {
          key: "reason",
          title: t.attentionReason,
          render: (_, i) => (
            <Tag color={reasonColor(i.reason)} data-testid="attention-reason" data-reason={i.reason}>
              {reasonText(t, i.reason)}
            </Tag>
          ),
        },
        { key: "message", title: t.message, render: (_, i) => <Raw>{i.message}</Raw> },
        { key: "since", title: t.attentionSince, render: (_, i) => <Ago ts={i.since} /> },
      ]}
    />
  );
}
