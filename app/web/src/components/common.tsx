import { useCallback, useEffect, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { Alert, Button, Card, Empty, Modal, Space, Spin, Table, Tag, Tooltip, Typography, type ButtonProps } from "antd";
import { ApiError } from "../api/http";
import type { KubeEvent, Permission, ReleaseStep, TemplateChange, WatchChange } from "../api/types";
import { fmt, messages, useT, type Messages } from "../i18n";
import { useClock } from "../clock";
import { useFocusOnNavigation } from "../focus";
import { useLiveStreams } from "../live";
import { Raw, rawFmt } from "./raw";
import { ApiValue } from "./values";
import { CommandLine } from "./CommandLine";

export { Raw };

export const REFRESH_MS = 5000;
/** In live mode, how often what the stream does not carry (metrics, pods, events) is refreshed. */
export const SLOW_REFRESH_MS = 30000;
/** Changes arriving within this long of the first one are one reload. */
const CHANGE_DEBOUNCE_MS = 250;

/** What a usePoll's data is made of, so the live stream can refresh it instead of polling. */
export interface LiveSource {
  /** The namespace ("_all": every namespace). */
  namespace: string;
  /** The changes that matter (default: every change in the namespace). */
  matches?: (e: WatchChange) => boolean;
  /** Still refreshed this often while live, for what the stream does not carry (0: never). */
  every?: number;
}

/**
 * Loads data now, on reload(), and then: while the live stream of options.live is live, on its
 * matching changes (and everything on a reconnect or reset); otherwise every interval. Keeps the
 * last data while refreshing; an answer older than one already shown is dropped.
 */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[], options: number | { interval?: number; live?: LiveSource } = REFRESH_MS) {
  const { interval = REFRESH_MS, live: source } = typeof options === "number" ? { interval: options } : options;
  const streams = useLiveStreams();
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [live, setLive] = useState(false);
  const loadRef = useRef(load);
  loadRef.current = load;
  const matchesRef = useRef(source?.matches);
  matchesRef.current = source?.matches;
  // Each load is numbered; one that started before the answer shown (or the deps' change) is stale.
  const started = useRef(0);
  const shown = useRef(0);
  const reload = useCallback(async () => {
    const n = ++started.current;
    try {
      const d = await loadRef.current();
      if (n <= shown.current) return;
      shown.current = n;
      setData(d);
      setError(undefined);
      streams?.updated();
    } catch (e) {
      if (n <= shown.current) return;
      shown.current = n;
      setError(e);
    } finally {
      if (n === shown.current) setLoading(false);
    }
  }, [streams]);
  const namespace = streams ? source?.namespace : undefined;
  useEffect(() => {
    shown.current = started.current;
    setLoading(true);
    setData(undefined);
    void reload();
    if (!streams || !namespace) {
      setLive(false);
      return;
    }
    let soon: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      soon ??= setTimeout(() => {
        soon = undefined;
        void reload();
      }, CHANGE_DEBOUNCE_MS);
    };
    const unsubscribe = streams.subscribe(namespace, {
      change: (e) => (matchesRef.current?.(e) ?? true) && schedule(),
      refresh: schedule,
      live: setLive,
    });
    return () => {
      unsubscribe();
      clearTimeout(soon);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, namespace]);
  const every = live ? (source?.every ?? 0) : interval;
  useEffect(() => {
    if (!every) return;
    const id = setInterval(() => void reload(), every);
    return () => clearInterval(id);
  }, [every, reload]);
  return { data, error, loading, reload, setData };
}

/** Shows a failed call: its message and a copyable trace id. */
export function ErrorAlert({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, "ERROR", String(error), "");
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      message={
        <>
          {t.error}: <Raw>{e.code}</Raw>
        </>
      }
      description={
        <Space direction="vertical">
          {/* The server's words (in English). */}
          <span data-testid="error-message" translate="no">{e.message}</span>
          {e.traceId && (
            <span>
              {t.traceId}: <Typography.Text copyable code data-testid="trace-id" translate="no">{e.traceId}</Typography.Text>
            </span>
          )}
        </Space>
      }
    />
  );
}

/** Loading, error and empty states around content; an error offers a retry and a way back. */
export function Loadable(props: {
  loading: boolean;
  error: unknown;
  empty?: boolean;
  children: React.ReactNode;
  /** Where to go instead (shown with an error). */
  back?: { to: string; label: string };
  onRetry?: () => void;
}) {
  const t = useT();
  const { loading, error, empty, children, back, onRetry } = props;
  if (loading) return <Spin tip={t.loading}><div style={{ minHeight: 80 }} /></Spin>;
  return (
    <>
      <ErrorAlert error={error} />
      {error !== undefined && error !== null && (back || onRetry) && (
        <Space style={{ margin: "12px 0" }}>
          {onRetry && (
            <Button onClick={onRetry} data-testid="retry">
              {t.retry}
            </Button>
          )}
          {back && (
            <Link to={back.to} data-testid="back-link">
              {back.label}
            </Link>
          )}
        </Space>
      )}
      {empty ? <Empty description={t.empty} /> : children}
    </>
  );
}

/** A preview the dialog loads (a server-side dry run) before it lets the action run. */
export interface Preview {
  load: () => Promise<unknown>;
  render: (result: unknown) => React.ReactNode;
  /** The inputs the preview depends on: a new key loads it again (after a short pause). */
  key?: string;
}

/**
 * A button that asks before it acts: the dialog shows the equivalent kubectl command, an optional
 * warning, the optional body (an input, which can hold the action back until it is valid) and an
 * optional preview, which must have answered for the current inputs before Confirm is enabled.
 */
export function ActionButton(props: {
  label: string;
  /** The dialog's title (the object's name in it marked Raw). */
  title: React.ReactNode;
  /**
   * The equivalent command; a function is given the preview's answer once it has one (a command
   * only the server's dry run tells); undefined: none is shown (commandNote says why).
   */
  command?: string | ((preview: unknown) => string | undefined);
  /** Said where the command would be, e.g. where it comes from or why there is none. */
  commandNote?: React.ReactNode;
  run: () => Promise<unknown>;
  onDone: (result: unknown) => void;
  danger?: boolean;
  type?: "primary" | "default";
  body?: React.ReactNode;
  ready?: boolean;
  testId?: string;
  /** From /me: when not allowed the button is disabled and its tooltip says why. */
  permission?: Permission;
  /**
   * Said in the dialog before anything else (e.g. that a Rollout governs the workload); a function
   * is given the preview's answer once it has one (a warning the preview then says itself can go).
   */
  warning?: React.ReactNode | ((preview: unknown) => React.ReactNode);
  preview?: Preview;
}) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [shown, setShown] = useState<{ key: string; loading: boolean; data?: unknown; error?: unknown }>();
  const previewRef = useRef(props.preview);
  previewRef.current = props.preview;
  const previewKey = props.preview ? (props.preview.key ?? "") : undefined;
  const wantPreview = open && previewKey !== undefined && props.ready !== false;

  useEffect(() => {
    if (!wantPreview || previewKey === undefined) {
      setShown(undefined);
      return;
    }
    let live = true;
    setShown({ key: previewKey, loading: true });
    const id = setTimeout(
      () => {
        previewRef.current?.load().then(
          (data) => live && setShown({ key: previewKey, loading: false, data }),
          (e) => live && setShown({ key: previewKey, loading: false, error: e }),
        );
      },
      previewRef.current?.key === undefined ? 0 : 400,
    );
    return () => {
      live = false;
      clearTimeout(id);
    };
  }, [wantPreview, previewKey]);

  const previewPending = wantPreview && (!shown || shown.loading || shown.key !== previewKey);
  const previewed = wantPreview && !previewPending && shown?.error === undefined ? shown?.data : undefined;
  const command = typeof props.command === "function" ? props.command(previewed) : props.command;
  const warning = typeof props.warning === "function" ? props.warning(previewed) : props.warning;
  const ok = async () => {
    setBusy(true);
    setError(undefined);
    try {
      props.onDone(await props.run());
      setOpen(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setOpen(false);
    setError(undefined);
  };
  const denied = props.permission && !props.permission.allowed;
  const button = (
    <Button danger={props.danger} type={props.type} onClick={() => setOpen(true)} data-testid={props.testId} aria-label={props.label} disabled={denied}>
      {props.label}
    </Button>
  );
  return (
    <>
      {denied ? (
        // A disabled button fires no mouse events: the span carries the tooltip.
        <Tooltip title={props.permission?.reason}>
          <span style={{ display: "inline-block", cursor: "not-allowed" }} data-testid={props.testId && props.testId + "-reason"} data-reason={props.permission?.reason ?? ""}>
            {button}
          </span>
        </Tooltip>
      ) : (
        button
      )}
      <Modal
        open={open}
        title={props.title}
        onCancel={close}
        onOk={ok}
        okText={t.confirm}
        cancelText={t.cancel}
        confirmLoading={busy}
        width={props.preview ? 720 : undefined}
        okButtonProps={{ danger: props.danger, disabled: props.ready === false || previewPending, "data-testid": "confirm-action" } as ButtonProps}
        destroyOnHidden
      >
        <Space direction="vertical" style={{ width: "100%" }}>
          {warning && <Alert type="warning" showIcon message={warning} data-testid="action-warning" />}
          {command !== undefined && (
            <div>
              <CommandLine command={command} />
            </div>
          )}
          {props.commandNote && <Typography.Text data-testid="command-note">{props.commandNote}</Typography.Text>}
          {props.body}
          {wantPreview && (
            <div data-testid="action-preview" aria-live="polite">
              {previewPending ? (
                <Spin size="small" tip={t.previewLoading}>
                  <div style={{ minHeight: 40 }} />
                </Spin>
              ) : shown?.error !== undefined ? (
                <Space direction="vertical" style={{ width: "100%" }}>
                  <Typography.Text>{t.previewFailed}</Typography.Text>
                  <ErrorAlert error={shown.error} />
                </Space>
              ) : (
                <Space direction="vertical" style={{ width: "100%" }}>
                  <Typography.Text strong>{t.previewTitle}</Typography.Text>
                  {props.preview?.render(shown?.data)}
                </Space>
              )}
            </div>
          )}
          <ErrorAlert error={error} />
        </Space>
      </Modal>
    </>
  );
}

/** Step numbers that wait for a person, as "1, 3". */
export const waitingSteps = (steps: { index: number; waitsForPerson?: boolean; manual?: boolean }[]) =>
  steps.filter((s) => s.waitsForPerson ?? s.manual).map((s) => s.index).join(", ");

/** The steps a release would go through, and which of them wait for a person. */
export function ReleaseSteps({ steps }: { steps: ReleaseStep[] }) {
  const t = useT();
  return (
    <Table<ReleaseStep>
      size="small"
      data-testid="release-steps"
      rowKey="index"
      pagination={false}
      dataSource={steps}
      columns={[
        { title: t.step, dataIndex: "index" },
        { title: t.replicas, dataIndex: "replicas" },
        { title: t.traffic, render: (_, s) => s.traffic || "-" },
        {
          title: t.pause,
          render: (_, s) =>
            s.waitsForPerson ? (
              <Tag color="warning" data-testid="step-waits-for-person">{t.waitsForPerson}</Tag>
            ) : s.pause && s.pause !== "manual" ? (
              fmt(t.pausesFor, { time: duration(s.pause, t) })
            ) : (
              t.goesOn
            ),
        },
      ]}
    />
  );
}

/** Says whether an action starts a release under a Rollout, and lists its steps. */
export function ReleaseNote({
  rollout,
  startsRelease,
  steps,
  explanation,
  case: kind,
}: {
  rollout: string;
  startsRelease: boolean;
  steps: ReleaseStep[];
  explanation?: string;
  /** The server's case (ReleasePlan.case): for a plain new release the explanation says what the message says. */
  case?: string;
}) {
  const t = useT();
  // The server's explanation says what the Rollout controller will do (cancel, roll back at once,
  // restart from step 1, ...): shown as it is, unless it only repeats the message (a new release).
  const detail = explanation && kind !== "new" ? <span data-testid="release-explanation" translate="no">{explanation}</span> : undefined;
  if (!startsRelease) return <Alert type="info" showIcon message={rollout ? rawFmt(t.noRelease, { name: rollout }) : t.noReleaseAction} description={detail} data-testid="no-release" />;
  const waits = waitingSteps(steps);
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Alert
        type="warning"
        showIcon
        data-testid="starts-release"
        message={waits ? rawFmt(t.startsReleaseWaits, { name: rollout, steps: waits }) : rawFmt(t.startsReleaseNoWait, { name: rollout })}
        description={detail}
      />
      {steps.length > 0 && <ReleaseSteps steps={steps} />}
    </Space>
  );
}

/** What an action changes in the pod template. */
export function Changes({ diff, title, testId = "template-diff" }: { diff: TemplateChange[]; title?: string; testId?: string }) {
  const t = useT();
  return (
    <Table<TemplateChange>
      size="small"
      data-testid={testId}
      rowKey="path"
      pagination={false}
      title={() => title ?? t.changes}
      dataSource={diff}
      locale={{ emptyText: t.empty }}
      columns={[
        { title: t.field, render: (_, d) => <Typography.Text code translate="no">{d.path}</Typography.Text> },
        { title: t.from, render: (_, d) => <span style={{ wordBreak: "break-all" }} translate="no">{d.from || "-"}</span> },
        { title: t.to, render: (_, d) => <span style={{ wordBreak: "break-all" }} translate="no">{d.to || "-"}</span> },
      ]}
    />
  );
}

/** The units an age is said in (the locale's messages). */
export type AgeUnits = Pick<Messages, "ageSeconds" | "ageMinutes" | "ageHours" | "ageDays" | "ageYears">;

/** How long ago a timestamp was, as people say it: "45s", "3m", "2h", "5d", "2y" (in the units given). */
export function age(ts?: string | null, now = Date.now(), units: AgeUnits = messages["en-US"]): string {
  if (!ts) return "-";
  const t = new Date(ts).getTime();
  if (Number.isNaN(t)) return "-";
  const s = Math.max(0, Math.floor((now - t) / 1000));
  const say = (unit: string, n: number) => fmt(unit, { n });
  if (s < 60) return say(units.ageSeconds, s);
  if (s < 3600) return say(units.ageMinutes, Math.floor(s / 60));
  if (s < 86400) return say(units.ageHours, Math.floor(s / 3600));
  if (s < 365 * 86400) return say(units.ageDays, Math.floor(s / 86400));
  return say(units.ageYears, Math.floor(s / (365 * 86400)));
}

/** A duration as the API writes it ("60s"), in the locale's units; anything else as it is. */
export function duration(d: string, units: AgeUnits = messages["en-US"]): string {
  const s = /^(\d+)s$/.exec(d);
  return s ? fmt(units.ageSeconds, { n: Number(s[1]) }) : d;
}

/**
 * An age with the exact time on hover (and for screen readers, as a time element). It follows the
 * app's one clock (src/clock.ts): it moves on by itself, without a request.
 */
export function Ago({ ts }: { ts?: string | null }) {
  const t = useT();
  const valid = !!ts && !ts.startsWith("0001-") && !Number.isNaN(new Date(ts).getTime());
  const text = useClock((now) => (valid ? age(ts, now, t) : "-"));
  if (!valid) return <>-</>;
  return (
    <time dateTime={ts} title={new Date(ts).toLocaleString(t.locale)} data-testid="age">
      {text}
    </time>
  );
}

/** A timestamp, or null for none (Go's zero time, 0001-01-01, included). */
const seen = (ts: string | null) => (ts && !ts.startsWith("0001-") ? ts : null);

/** A card of an object's events (newest first), as `kubectl describe` lists them. */
export function EventsCard({ events }: { events: { data?: KubeEvent[]; error: unknown; loading: boolean } }) {
  const t = useT();
  const rows = (events.data ?? []).map((e, i) => ({ ...e, key: i }));
  return (
    <Card title={`${t.events} (${rows.length})`}>
      <Loadable loading={events.loading} error={events.error}>
        <Table
          size="small"
          data-testid="events"
          dataSource={rows}
          locale={{ emptyText: t.empty }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: t.type, render: (_, e) => <Tag color={e.type === "Warning" ? "warning" : "default"}><ApiValue kind="eventType" value={e.type} /></Tag> },
            // What the controllers wrote, as they wrote it.
            { title: t.reason, render: (_, e) => <Raw>{e.reason}</Raw> },
            { title: t.message, render: (_, e) => <Raw>{e.message}</Raw> },
            { title: t.count, dataIndex: "count" },
            {
              title: t.lastSeen,
              render: (_, e) => {
                const ts = seen(e.lastTimestamp) ?? seen(e.firstTimestamp);
                return <Ago ts={ts} />;
              },
            },
            { title: t.source, render: (_, e) => <Raw>{e.source}</Raw> },
          ]}
        />
      </Loadable>
    </Card>
  );
}

/**
 * The page's one h1; it also names the browser tab (label, or children when they are a string).
 * It takes focus when the page is reached by a navigation (src/focus.ts).
 */
export function Title({ children, label }: { children: React.ReactNode; label?: string }) {
  const t = useT();
  const ref = useRef<HTMLHeadingElement>(null);
  const text = label ?? (typeof children === "string" ? children : "");
  useEffect(() => {
    document.title = `${text} · ${t.title}`;
  }, [text, t]);
  useFocusOnNavigation(ref);
  return (
    <Typography.Title ref={ref} tabIndex={-1} level={1} style={{ fontSize: 24, marginTop: 0 }}>
      {children}
    </Typography.Title>
  );
}

export { Button };
