import { Alert, Space, Table, Tag, Tooltip, Typography } from "antd";
import { getRolloutEvidence } from "../api/rollout";
import { ApiError } from "../api/http";
import { inCluster } from "../api/clusterScope";
import type { RolloutStatus, WatchChange } from "../api/types";
import { useClock } from "../clock";
import { EVIDENCE_REFRESH_MS, isStale, latencyText, rateText, ratioText, countText, verdictView, type Evidence, type EvidenceSide } from "../evidence";
import { useT, type Messages } from "../i18n";
import { rolloutChange } from "../live";
import { Ago, duration, usePoll } from "./common";
import { Raw, rawFmt } from "./raw";

// The evidence beside Approve: the canary's pods against the stable pods from Prometheus, and the
// dashboard's verdict (the controller checks no metrics: docs/evidence). Shown while a step waits
// for a person; refreshed every 15 s and on the live stream's changes of the release; evidence
// too old to stand for the pods now is shown as such, never as the current verdict.

type Waiting = Pick<RolloutStatus, "namespace" | "name" | "active" | "waitingForApproval" | "currentStepIndex" | "canaryRevision">;

interface Props {
  st: Waiting;
  /** The live stream's changes that refresh it (default: the Rollout's own). */
  matches?: (e: WatchChange) => boolean;
  /** The Rollout's cluster when not the page's (the inbox across clusters): read there, and polled. */
  cluster?: string;
}

/** The full panel (the Rollout page); nothing while no step waits or no release is in progress. */
export function EvidencePanel(props: Props) {
  return props.st.active && props.st.waitingForApproval ? <Loaded {...props} compact={false} /> : null;
}

/** The verdict alone (the inbox's rows), its reason on hover. */
export function EvidenceVerdict(props: Props) {
  return props.st.active && props.st.waitingForApproval ? <Loaded {...props} compact /> : null;
}

function Loaded({ st, matches, compact, cluster }: Props & { compact: boolean }) {
  const t = useT();
  const { namespace: ns, name } = st;
  // A new step or release is new evidence: what was measured before is not shown for it.
  const ev = usePoll(
    () => (cluster === undefined ? getRolloutEvidence(ns, name) : inCluster(cluster, () => getRolloutEvidence(ns, name))),
    [ns, name, st.currentStepIndex, st.canaryRevision, cluster],
    {
      interval: EVIDENCE_REFRESH_MS,
      live: cluster === undefined ? { namespace: ns, matches: matches ?? rolloutChange(name), every: EVIDENCE_REFRESH_MS } : undefined,
    },
  );
  const status = ev.error instanceof ApiError ? ev.error.status : undefined;
  // 409: no release in progress (it ended since the status was read): nothing to compare.
  if (status === 409) return null;
  if (status === 403)
    return compact ? (
      <Tag data-testid="evidence-forbidden">{t.evidenceForbidden}</Tag>
    ) : (
      <Alert type="info" showIcon message={t.evidenceForbidden} data-testid="evidence-forbidden" style={{ marginTop: 12 }} />
    );
  const failed = ev.error !== undefined && ev.error !== null;
  const data = ev.data;
  if (compact) return data ? <CompactVerdict ev={data} /> : null;
  return (
    <section aria-labelledby="evidence-title" data-testid="evidence-panel" style={{ marginTop: 16 }}>
      <Typography.Title level={2} id="evidence-title" style={{ fontSize: 16 }}>
        {t.evidence}
      </Typography.Title>
      {failed && (
        <Alert
          type="warning"
          showIcon
          data-testid="evidence-failed"
          message={t.evidenceFailed}
          description={<Raw>{ev.error instanceof Error ? ev.error.message : String(ev.error)}</Raw>}
          style={{ marginBottom: 8 }}
        />
      )}
      {data && <EvidenceDetails ev={data} />}
    </section>
  );
}

/** "measured 20s ago", its age ticking with the app's clock. */
function Measured({ message, at }: { message: string; at: string }) {
  const [before, after = ""] = message.split("{age}");
  return (
    <span data-testid="evidence-at">
      {before}
      <Ago ts={at} />
      {after}
    </span>
  );
}

function useStale(at: string) {
  return useClock((now) => isStale(at, now));
}

function VerdictTag({ ev, stale, testId }: { ev: Evidence; stale: boolean; testId: string }) {
  const t = useT();
  const v = verdictView(t, ev.verdict, stale);
  return (
    <Tag color={v.tone} data-testid={testId} data-verdict={ev.verdict} data-stale={String(stale)} data-tone={v.tone} style={{ whiteSpace: "normal" }}>
      <span aria-hidden="true">{v.symbol} </span>
      {v.text ?? <Raw>{ev.verdict}</Raw>}
      {stale && ` (${t.evidenceStale})`}
    </Tag>
  );
}

function CompactVerdict({ ev }: { ev: Evidence }) {
  const stale = useStale(ev.at);
  return (
    <Tooltip title={<Raw>{ev.reason}</Raw>}>
      <span tabIndex={0} style={{ display: "inline-block" }}>
        <VerdictTag ev={ev} stale={stale} testId="evidence-verdict-compact" />
      </span>
    </Tooltip>
  );
}

/** The verdict, the numbers and what they rest on (exported for the render tests). */
export function EvidenceDetails({ ev }: { ev: Evidence }) {
  const t = useT();
  const stale = useStale(ev.at);
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Space wrap>
        <Typography.Text strong>{t.evidenceVerdict}:</Typography.Text>
        <VerdictTag ev={ev} stale={stale} testId="evidence-verdict" />
        {!stale && <Measured message={t.evidenceMeasured} at={ev.at} />}
        {ev.simulated && (
          <Tag color="purple" data-testid="evidence-simulated">
            {t.evidenceSimulated}
          </Tag>
        )}
      </Space>
      {ev.simulated && <Typography.Text type="secondary">{t.evidenceSimulatedNote}</Typography.Text>}
      <Typography.Text type="secondary" data-testid="evidence-whose">
        {rawFmt(t.evidenceWhose, { prometheus: "Prometheus", controller: "Kruise Rollouts" })}
      </Typography.Text>
      {stale && <Alert type="warning" showIcon data-testid="evidence-stale" message={<Measured message={t.evidenceStaleNote} at={ev.at} />} />}
      <Typography.Text data-testid="evidence-reason">
        {t.evidenceReason}: <Raw>{ev.reason}</Raw>
      </Typography.Text>
      <MetricsTable ev={ev} />
      {ev.windowSeconds > 0 && (
        <Typography.Text type="secondary" data-testid="evidence-thresholds">
          {rawFmt(t.evidenceWindow, { window: duration(`${ev.windowSeconds}s`, t), template: ev.template })}{" "}
          {rawFmt(t.evidenceThresholds, {
            min: ev.thresholds.minRequests,
            points: ev.thresholds.errorRatioPoints,
            factor: ev.thresholds.errorRatioFactor,
            p95: "p95",
            latency: ev.thresholds.latencyFactor,
          })}
        </Typography.Text>
      )}
    </Space>
  );
}

type MetricLabel = "metricPods" | "metricRequests" | "metricRate" | "metricErrors" | "p50" | "p95";

interface MetricRow {
  key: string;
  label: MetricLabel;
  value: (t: Messages, s: EvidenceSide) => string;
}

const METRICS: MetricRow[] = [
  { key: "pods", label: "metricPods", value: (_, s) => String(s.pods) },
  { key: "requests", label: "metricRequests", value: (t, s) => countText(t, s.requests) },
  { key: "rate", label: "metricRate", value: (t, s) => rateText(t, s.requestRate) },
  { key: "errors", label: "metricErrors", value: (t, s) => ratioText(t, s.errorRatio) },
  { key: "p50", label: "p50", value: (t, s) => latencyText(t, s.latencyP50) },
  { key: "p95", label: "p95", value: (t, s) => latencyText(t, s.latencyP95) },
];

/** A metric's name; the quantile's (p50, p95) marked as a name. */
function metricLabel(t: Messages, label: MetricLabel): React.ReactNode {
  return label === "p50" || label === "p95" ? rawFmt(t.latencyP, { p: label }) : t[label];
}

function MetricsTable({ ev }: { ev: Evidence }) {
  const t = useT();
  return (
    <Table<MetricRow>
      size="small"
      data-testid="evidence-table"
      rowKey="key"
      pagination={false}
      dataSource={METRICS}
      columns={[
        { title: t.metric, render: (_, m) => metricLabel(t, m.label) },
        { title: t.podRole_canary, align: "right", render: (_, m) => <span data-testid={`evidence-canary-${m.key}`}>{m.value(t, ev.canary)}</span> },
        { title: t.podRole_stable, align: "right", render: (_, m) => <span data-testid={`evidence-stable-${m.key}`}>{m.value(t, ev.stable)}</span> },
      ]}
    />
  );
}
