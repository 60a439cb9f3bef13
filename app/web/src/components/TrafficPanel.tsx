import { Alert, Card, Descriptions, Space, Table, Tag, Typography } from "antd";
import { getRolloutTraffic } from "../api/rollout";
import type { RolloutTraffic, TrafficMatch, TrafficRouting, TrafficStep } from "../api/types";
import { fmt, useT } from "../i18n";
import { rolloutChange } from "../live";
import { Loadable, SLOW_REFRESH_MS, usePoll } from "./common";
import { Raw, rawFmt } from "./raw";

// The traffic a Rollout routes (GET /rollout/traffic): per step the plan, and what the Rollout
// controller wrote now — the canary Ingress's annotations or the HTTPRoute's backend weights —
// compared with the step in force. Shown only for a Rollout with trafficRoutings.

/** One match as text: `name: value` per header (`~` for a regular expression), path and query too. */
export function matchText(m: TrafficMatch): string {
  const cond = (c: { name?: string; type: string; value: string }) => `${c.name ?? ""}${c.type === "RegularExpression" ? " ~ " : ": "}${c.value}`;
  return [
    ...(m.path ? [`path ${m.path.type === "RegularExpression" ? "~ " : ""}${m.path.value}`] : []),
    ...m.headers.map(cond),
    ...m.queryParams.map((q) => `?${cond(q)}`),
  ].join(" & ");
}

function Matches({ matches }: { matches: TrafficMatch[] }) {
  const t = useT();
  if (matches.length === 0) return <>{t.trafficNone}</>;
  return <Raw>{matches.map(matchText).join(" | ")}</Raw>;
}

const weightText = (w: number | null | undefined, none: string) => (w === null || w === undefined ? none : `${w}%`);

export function TrafficPanel({ ns, name }: { ns: string; name: string }) {
  const traffic = usePoll(() => getRolloutTraffic(ns, name), [ns, name], { live: { namespace: ns, matches: rolloutChange(name), every: SLOW_REFRESH_MS } });
  const t = useT();
  const tr = traffic.data;
  // A Rollout that routes no traffic has no panel.
  if (!traffic.error && (!tr || tr.routings.length === 0)) return null;
  return (
    <Card title={t.trafficTitle} data-testid="traffic-panel">
      <Loadable loading={traffic.loading} error={traffic.error} onRetry={() => void traffic.reload()}>
        {tr && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Typography.Text type="secondary">{t.trafficWhat}</Typography.Text>
            {tr.routings.map((r, i) => (
              <Routing key={i} tr={tr} r={r} />
            ))}
            <PlanTable tr={tr} />
          </Space>
        )}
      </Loadable>
    </Card>
  );
}

function Routing({ tr, r }: { tr: RolloutTraffic; r: TrafficRouting }) {
  const t = useT();
  const names = { kind: r.kind, object: r.object, service: r.service, canary: r.canaryService, class: r.ingressClass ?? "" };
  const unread: Record<string, { type: "info" | "warning" | "error"; text: string }> = {
    forbidden: { type: "warning", text: t.trafficForbidden },
    absent: { type: "info", text: t.trafficAbsent },
    notServed: { type: "warning", text: t.trafficNotServed },
    failed: { type: "error", text: t.trafficFailed },
    unsupported: { type: "info", text: t.trafficUnsupported },
  };
  const w = r.written;
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="traffic-routing">
      <Typography.Text>{rawFmt(r.provider === "ingress" ? t.trafficThroughIngress : t.trafficThrough, names)}</Typography.Text>
      {r.read !== "read" && unread[r.read] && (
        <Alert
          type={unread[r.read].type}
          showIcon
          data-testid={`traffic-${r.read}`}
          message={rawFmt(unread[r.read].text, names)}
          description={r.message ? <Raw>{r.message}</Raw> : undefined}
        />
      )}
      {w && (
        <Descriptions size="small" column={2} bordered data-testid="traffic-written">
          <Descriptions.Item label={t.trafficWrittenWeight}>
            <span data-testid="traffic-written-weight">{weightText(w.weight, t.trafficNone)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t.trafficWrittenMatches}>
            <span data-testid="traffic-written-matches">
              <Matches matches={w.matches} />
            </span>
          </Descriptions.Item>
          {w.annotations && Object.keys(w.annotations).length > 0 && (
            <Descriptions.Item label={t.trafficAnnotations} span={2} contentStyle={{ whiteSpace: "pre-line" }}>
              <Raw>
                {Object.entries(w.annotations)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([k, v]) => `${k}: ${v}`)
                  .join("\n")}
              </Raw>
            </Descriptions.Item>
          )}
          {w.rules && w.rules.length > 0 && (
            <Descriptions.Item label={t.trafficBackends} span={2} contentStyle={{ whiteSpace: "pre-line" }}>
              <Raw>
                {w.rules
                  .map((rule) => `${rule.matches.map(matchText).join(" | ") || "*"} → ${rule.backends.map((b) => `${b.name}${b.weight === null || b.weight === undefined ? "" : ` (${b.weight})`}`).join(", ") || "-"}`)
                  .join("\n")}
              </Raw>
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t.trafficCompared} span={2}>
            <Compared tr={tr} r={r} />
          </Descriptions.Item>
        </Descriptions>
      )}
    </Space>
  );
}

function Compared({ tr, r }: { tr: RolloutTraffic; r: TrafficRouting }) {
  const t = useT();
  if (r.agrees === null || r.agrees === undefined) {
    const why = !tr.active ? t.trafficNoRelease : tr.release === "finalising" || tr.release === "cancelling" ? t.trafficFinishing : t.trafficNotYet;
    return <span data-testid="traffic-compare">{why}</span>;
  }
  if (r.agrees) {
    return (
      <Tag color="success" data-testid="traffic-compare">
        {fmt(t.trafficAgrees, { step: r.step })}
      </Tag>
    );
  }
  return (
    <Space direction="vertical" size={2}>
      <Tag color="error" data-testid="traffic-compare">
        {fmt(t.trafficDiffers, { step: r.step })}
      </Tag>
      {r.differences.map((d, i) => (
        <Raw key={i}>{d}</Raw>
      ))}
    </Space>
  );
}

function PlanTable({ tr }: { tr: RolloutTraffic }) {
  const t = useT();
  return (
    <Table<TrafficStep>
      size="small"
      rowKey="index"
      data-testid="traffic-plan"
      dataSource={tr.steps}
      pagination={false}
      columns={[
        {
          title: t.step,
          render: (_, s) => (
            <Space size={4}>
              <span>{s.index}</span>
              {tr.active && s.index === tr.currentStepIndex && <Tag color="processing">{t.current}</Tag>}
            </Space>
          ),
        },
        {
          title: t.trafficPlannedWeight,
          render: (_, s) => (
            <span data-testid={`traffic-plan-weight-${s.index}`}>
              {s.inherited ? (s.index === 1 ? t.trafficNone : fmt(t.trafficInherited, { weight: weightText(s.weight, t.trafficNone) })) : weightText(s.weight, t.trafficNone)}
            </span>
          ),
        },
        { title: t.trafficPlannedMatches, render: (_, s) => <Matches matches={s.matches} /> },
        {
          title: t.trafficHeaderModifier,
          render: (_, s) => {
            const m = s.requestHeaderModifier;
            if (!m) return t.trafficNone;
            return <Raw>{[...m.set.map((h) => `${h.name}=${h.value}`), ...m.add.map((h) => `+${h.name}=${h.value}`), ...m.remove.map((h) => `-${h}`)].join(", ")}</Raw>;
          },
        },
      ]}
    />
  );
}
