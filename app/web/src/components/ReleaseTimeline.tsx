// The release timeline (GET /rollout/timeline): on the Rollout page in full, in each inbox row in
// short. Every time shown is one the server gives (the controller's status or the dashboard's
// record on the Rollout); where it has none the text says so ("time not recorded"), never a guess.
// Ages tick by the app's clock (Ago). Also the approval reason field of the approve dialogs.
import { Alert, Card, Input, Tag, Timeline as AntTimeline, Typography } from "antd";
import { getRolloutTimeline } from "../api/rollout";
import { inCluster } from "../api/clusterScope";
import type { Timeline, TimelineStep } from "../api/types";
import { fmt, useT, type Messages } from "../i18n";
import { rolloutChange } from "../live";
import { age, Ago, SLOW_REFRESH_MS, usePoll } from "./common";
import { Raw } from "./raw";

/** The longest reason the server accepts (biz/rollout_reason.go). */
export const MAX_REASON = 500;

/** A message with {placeholders} filled by nodes (names already marked Raw by the caller). */
function nodeFmt(message: string, values: Record<string, React.ReactNode>): React.ReactNode {
  const parts = message.split(/\{(\w+)\}/);
  return <>{parts.map((p, i) => (i % 2 === 0 ? p : <span key={i}>{p in values ? values[p] : `{${p}}`}</span>))}</>;
}

/** "5m ago", ticking; "time not recorded" without a time. */
function When({ ts }: { ts?: string | null }) {
  const t = useT();
  if (!ts) return <>{t.tlTimeNotRecorded}</>;
  return nodeFmt(t.tlAgo, { age: <Ago ts={ts} /> });
}

/** How long seconds is, in the age units ("3m"). */
const took = (t: Messages, seconds: number) => age(new Date(0).toISOString(), seconds * 1000, t);

const verdictText = (t: Messages, v: string) =>
  ({ worse: t.tlVerdictWorse, notWorse: t.tlVerdictNotWorse, notEnoughData: t.tlVerdictNotEnoughData, unavailable: t.tlVerdictUnavailable })[v] ?? v;

/** Who approved a step, when and why; or that it was approved outside the dashboard. */
function Approval({ step }: { step: TimelineStep }) {
  const t = useT();
  const a = step.approval;
  if (!a) return null;
  if (a.outside)
    return (
      <div data-testid="timeline-approval" data-outside="true">
        {t.tlApprovedOutside}{" "}
        {a.notAfter ? nodeFmt(t.tlNotAfter, { time: <Ago ts={a.notAfter} /> }) : t.tlTimeNotRecorded}
      </div>
    );
  return (
    <div data-testid="timeline-approval" data-outside="false" data-by={a.by}>
      {nodeFmt(t.tlApprovedBy, { by: <Raw>{a.by}</Raw>, when: <When ts={a.at} /> })}
      {step.seconds != null && <> · {fmt(t.tlTook, { d: took(t, step.seconds) })}</>}
      {a.verdict && <> · {fmt(t.tlVerdict, { verdict: verdictText(t, a.verdict) })}</>}
      {a.reason && (
        <div data-testid="timeline-reason">
          {t.tlReason}: <Raw>{a.reason}</Raw>
        </div>
      )}
    </div>
  );
}

function stepColor(s: TimelineStep) {
  if (s.state === "done") return "green";
  if (s.state === "current") return "blue";
  return "gray";
}

function StepItem({ s }: { s: TimelineStep }) {
  const t = useT();
  const state = { done: t.tlStepDone, current: t.tlStepCurrent, pending: t.tlStepPending, notRun: t.tlStepNotRun }[s.state];
  return (
    <div data-testid={`timeline-step-${s.index}`} data-state={s.state}>
      <Typography.Text strong>{fmt(t.tlStep, { step: s.index })}</Typography.Text> <Tag>{state}</Tag>
      {s.manual && s.state !== "notRun" && <Tag>{t.tlManual}</Tag>}
      {s.startedAt && <div>{nodeFmt(t.tlStartedAt, { when: <When ts={s.startedAt} /> })}</div>}
      {s.waitingSince ? (
        <div>{nodeFmt(t.tlWaitingSince, { when: <When ts={s.waitingSince} /> })}</div>
      ) : (
        s.state === "current" && s.controllerState && <div>{nodeFmt(t.tlControllerState, { state: <Raw>{s.controllerState}</Raw>, when: <When ts={s.since} /> })}</div>
      )}
      <Approval step={s} />
    </div>
  );
}

/** The whole timeline of a Rollout's current (or last) release. */
export function ReleaseTimeline({ ns, name }: { ns: string; name: string }) {
  const t = useT();
  const tl = usePoll(() => getRolloutTimeline(ns, name), [ns, name], { live: { namespace: ns, matches: rolloutChange(name), every: SLOW_REFRESH_MS } });
  const d = tl.data;
  return (
    <Card title={t.tlTitle} data-testid="release-timeline">
      {tl.error !== undefined && !d && <Alert type="error" showIcon message={t.tlUnavailable} />}
      {d && !d.start && <Typography.Text data-testid="timeline-none">{t.tlNone}</Typography.Text>}
      {d?.notes.map((n) => <Alert key={n} type="info" showIcon message={<Raw>{n}</Raw>} style={{ marginBottom: 8 }} data-testid="timeline-note" />)}
      {d?.start && <AntTimeline items={items(t, d)} />}
    </Card>
  );
}

function items(t: Messages, d: Timeline) {
  const start = d.start!;
  const images = Object.entries(start.images)
    .map(([c, img]) => `${c}=${img}`)
    .join(", ");
  const out: { key: string; color: string; children: React.ReactNode }[] = [
    {
      key: "start",
      color: "blue",
      children: (
        <div data-testid="timeline-start" data-recorded={String(start.recorded)}>
          <Typography.Text strong>{t.tlStart}</Typography.Text>
          <div>
            {start.recorded
              ? nodeFmt(t.tlStartedBy, { by: <Raw>{start.by}</Raw>, images: <Raw>{images}</Raw>, when: <When ts={start.setAt} /> })
              : t.tlStartedOutside}
          </div>
          {start.at && <div>{nodeFmt(t.tlControllerStarted, { when: <When ts={start.at} /> })}</div>}
        </div>
      ),
    },
  ];
  for (const s of d.steps) out.push({ key: `step-${s.index}`, color: stepColor(s), children: <StepItem s={s} /> });
  if (d.end) {
    const end = d.end;
    const what =
      end.outcome === "rolledBack"
        ? nodeFmt(t.tlRolledBackBy, { by: <Raw>{end.by}</Raw>, when: <When ts={end.recordedAt} /> })
        : end.outcome === "completed"
          ? t.tlCompleted
          : t.tlCancelled;
    out.push({
      key: "end",
      color: end.outcome === "completed" ? "green" : "red",
      children: (
        <div data-testid="timeline-end" data-outcome={end.outcome}>
          <Typography.Text strong>{t.tlEnd}</Typography.Text>
          <div>{what}</div>
          {end.at ? (
            <div>{nodeFmt(t.tlEndedAt, { when: <When ts={end.at} /> })}</div>
          ) : (
            <div>{d.active ? t.tlRollingBack : t.tlTimeNotRecorded}</div>
          )}
        </div>
      ),
    });
  }
  return out;
}

/**
 * The timeline in a line, for an inbox row: the last approval of the release (who, when), else
 * who started it; "-" when the record says nothing.
 */
export function TimelineShort({ ns, name, cluster }: { ns: string; name: string; cluster?: string }) {
  const t = useT();
  // Another cluster's row (the inbox across clusters) is read from that cluster, and polled.
  const tl = usePoll(
    () => (cluster === undefined ? getRolloutTimeline(ns, name) : inCluster(cluster, () => getRolloutTimeline(ns, name))),
    [ns, name, cluster],
    cluster === undefined ? { live: { namespace: ns, matches: rolloutChange(name), every: SLOW_REFRESH_MS } } : SLOW_REFRESH_MS,
  );
  const d = tl.data;
  if (!d?.start) return <span data-testid="timeline-short">-</span>;
  const approved = [...d.steps].reverse().find((s) => s.approval);
  const a = approved?.approval;
  return (
    <span data-testid="timeline-short">
      {a && approved
        ? a.outside
          ? fmt(t.tlShortOutside, { step: approved.index })
          : nodeFmt(t.tlShortApproved, { step: approved.index, by: <Raw>{a.by}</Raw>, when: <When ts={a.at} /> })
        : d.start.recorded
          ? nodeFmt(t.tlShortStarted, { by: <Raw>{d.start.by}</Raw>, when: <When ts={d.start.setAt} /> })
          : t.tlShortNone}
    </span>
  );
}

/**
 * The approver's reason in an approve dialog: optional, but required by the server for a step whose
 * evidence is worse when the policy is on (it then answers 409 naming the verdict, shown below it).
 */
export function ReasonField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const t = useT();
  return (
    <div>
      <Typography.Text>{t.tlReasonLabel}</Typography.Text>
      <Input.TextArea
        data-testid="approve-reason"
        aria-label={t.tlReasonLabel}
        value={value}
        maxLength={MAX_REASON}
        showCount
        autoSize={{ minRows: 2, maxRows: 5 }}
        onChange={(e) => onChange(e.target.value)}
        placeholder={t.tlReasonPlaceholder}
      />
    </div>
  );
}
