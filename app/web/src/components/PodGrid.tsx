import { Card, Space, theme, Typography } from "antd";
import type { RolloutStatus } from "../api/types";
import { fmt, useT, type Messages } from "../i18n";
import { podGrid, STATE_SYMBOL, stateOf, type GridColumn, type PodState, type ReleasePod } from "../podGrid";
import { Raw } from "./raw";

// The release's pods at a glance: canary and stable side by side (other revisions apart), one cell
// per pod whose state is told by its symbol and outline as well as its colour, grouped by the batch
// that updated it; above, the current step's target against what is there. It shows the status it
// is given: the Rollout page refreshes that from the live stream.

/**
 * Each state's look: colour, and a fill, outline and symbol that tell it without the colour. The
 * symbols keep 4.5:1 in both themes: white on the dark green, the page's text colour elsewhere.
 */
function useLook(): Record<PodState, React.CSSProperties> {
  const { token } = theme.useToken();
  return {
    ready: { background: "#237804", borderColor: "#237804", color: "#fff", borderStyle: "solid" },
    notReady: { background: "transparent", borderColor: "#d46b08", color: token.colorText, borderStyle: "solid" },
    terminating: { background: "transparent", borderColor: "#8c8c8c", color: token.colorText, borderStyle: "dashed" },
  };
}

const stateText = (t: Messages, s: PodState) => t[`podState_${s}`];

/** The grid of a release in progress; nothing when the status carries no pods (none readable). */
export function PodGrid({ st }: { st: RolloutStatus }) {
  const t = useT();
  const pods = st.pods;
  if (!st.active || !pods) return null;
  const columns = podGrid(pods.items);
  const target = pods.stepTarget;
  const line = fmt(target >= 0 ? t.stepPods : t.stepPodsNoTarget, { step: st.currentStepIndex, ready: pods.canary.ready, total: pods.canary.total, target });
  return (
    <Card title={t.releasePods} data-testid="pod-grid">
      <Typography.Paragraph data-testid="pod-grid-target" data-target={target} data-ready={pods.canary.ready} data-total={pods.canary.total}>
        {line}
        {" · "}
        {fmt(t.stablePods, { ready: pods.stable.ready, total: pods.stable.total })}
      </Typography.Paragraph>
      <div style={{ display: "flex", flexWrap: "wrap", gap: 24 }}>
        {columns.map((c) => (
          <Column key={c.role} column={c} />
        ))}
      </div>
      <Legend />
    </Card>
  );
}

function Column({ column }: { column: GridColumn }) {
  const t = useT();
  const title = t[`podRole_${column.role}`];
  const revisions = [...new Set(column.batches.flatMap((b) => b.pods.map((p) => p.revision)).filter(Boolean))];
  const headingId = `pod-grid-${column.role}`;
  return (
    <section aria-labelledby={headingId} data-testid={`pod-column-${column.role}`} style={{ minWidth: 220, flex: "1 1 220px" }}>
      <Typography.Title level={2} id={headingId} style={{ fontSize: 15, marginTop: 0 }}>
        {title} ({column.total})
      </Typography.Title>
      {revisions.length > 0 && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
          <Raw>{revisions.join(", ")}</Raw>
        </Typography.Paragraph>
      )}
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {fmt(t.podCounts, column.counts)}
      </Typography.Paragraph>
      {column.total === 0 && <Typography.Text type="secondary">{t.noPods}</Typography.Text>}
      {column.batches.map((b) => (
        <div key={b.batch} style={{ marginBottom: 8 }} data-testid="pod-batch" data-batch={b.batch}>
          {(column.batches.length > 1 || b.batch !== "") && (
            <Typography.Text type="secondary" style={{ display: "block", fontSize: 12 }}>
              {b.batch !== "" ? fmt(t.batchN, { batch: b.batch }) : t.noBatch}
            </Typography.Text>
          )}
          <ul style={{ listStyle: "none", padding: 0, margin: 0, display: "flex", flexWrap: "wrap", gap: 4 }}>
            {b.pods.map((p) => (
              <li key={p.name}>
                <Cell pod={p} />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

/** One pod: named (pod name and state) for screen readers, and on hover. */
function Cell({ pod }: { pod: ReleasePod }) {
  const t = useT();
  const look = useLook();
  const state = stateOf(pod);
  const label = fmt(t.podCell, { name: pod.name, state: stateText(t, state) });
  return (
    <span
      role="img"
      aria-label={label}
      title={label}
      data-testid="pod-cell"
      data-pod={pod.name}
      data-state={state}
      data-role={pod.role}
      style={{ ...look[state], display: "inline-flex", alignItems: "center", justifyContent: "center", width: 24, height: 24, borderWidth: 2, borderRadius: 4, fontWeight: 700, fontSize: 13, lineHeight: 1 }}
    >
      {STATE_SYMBOL[state]}
    </span>
  );
}

function Legend() {
  const t = useT();
  const look = useLook();
  const states: PodState[] = ["ready", "notReady", "terminating"];
  return (
    <Space size="middle" wrap data-testid="pod-legend">
      <Typography.Text type="secondary">{t.podLegend}:</Typography.Text>
      {states.map((s) => (
        <span key={s} style={{ display: "inline-flex", alignItems: "center", gap: 4 }}>
          <span aria-hidden="true" style={{ ...look[s], display: "inline-flex", alignItems: "center", justifyContent: "center", width: 18, height: 18, borderWidth: 2, borderRadius: 3, fontSize: 11, fontWeight: 700 }}>
            {STATE_SYMBOL[s]}
          </span>
          {stateText(t, s)}
        </span>
      ))}
    </Space>
  );
}
