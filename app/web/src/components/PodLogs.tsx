import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { Button, Drawer, Select, Space, theme, Typography } from "antd";
import { getPodLog } from "../api/workload";
import { ErrorAlert, REFRESH_MS, usePoll } from "./common";
import { fmt, useT } from "../i18n";
import { rawFmt } from "./raw";

/** The tail lengths offered (the server takes 1..5000; its default is 200). */
export const TAIL_CHOICES = [100, 200, 1000, 5000];
export const DEFAULT_TAIL = 200;

/** The pod whose logs are shown: its name and its containers (the first is read by default). */
export interface LogTarget {
  pod: string;
  containers: string[];
}

/**
 * A drawer with the tail of one container's log of one of the workload's pods, refreshed every
 * REFRESH_MS while open (its content, and so its polling, goes when it closes).
 */
export function PodLogsDrawer(props: { ns: string; type: string; name: string; target?: LogTarget; open: boolean; onClose: () => void }) {
  const t = useT();
  const { target } = props;
  return (
    <Drawer
      open={props.open}
      onClose={props.onClose}
      title={target ? rawFmt(t.logsTitle, { pod: target.pod }) : t.logs}
      width="min(1040px, 100vw)"
      destroyOnHidden
    >
      {target && <PodLogView key={target.pod} ns={props.ns} type={props.type} name={props.name} target={target} />}
    </Drawer>
  );
}

function PodLogView({ ns, type, name, target }: { ns: string; type: string; name: string; target: LogTarget }) {
  const t = useT();
  const [container, setContainer] = useState<string>(target.containers[0] ?? "");
  const [tail, setTail] = useState(DEFAULT_TAIL);
  const log = usePoll(() => getPodLog(ns, type, name, target.pod, container || undefined, tail), [ns, type, name, target.pod, container, tail]);
  const containers = log.data?.containers ?? target.containers;
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="pod-logs">
      <Space wrap align="center">
        <label htmlFor="log-container">{t.container}</label>
        <Select
          id="log-container"
          aria-label={t.container}
          data-testid="log-container"
          style={{ minWidth: 160 }}
          value={container}
          onChange={setContainer}
          options={containers.map((c) => ({ value: c, label: <span translate="no">{c}</span> }))}
        />
        <label htmlFor="log-tail">{t.tailLines}</label>
        <Select
          id="log-tail"
          aria-label={t.tailLines}
          data-testid="log-tail"
          style={{ minWidth: 140 }}
          value={tail}
          onChange={setTail}
          options={TAIL_CHOICES.map((n) => ({ value: n, label: fmt(t.lastLines, { n }) }))}
        />
        <Button data-testid="log-refresh" onClick={() => void log.reload()}>
          {t.refresh}
        </Button>
        <Typography.Text>{fmt(t.autoRefresh, { s: REFRESH_MS / 1000 })}</Typography.Text>
      </Space>
      <ErrorAlert error={log.error} />
      <LogLines
        lines={log.data && log.data.container === container ? log.data.lines : undefined}
        label={fmt(t.logOf, { container, pod: target.pod })}
        loading={log.loading}
      />
    </Space>
  );
}

/**
 * The lines, monospace, in a focusable scrolling block (role log). It follows the end of the log
 * while the reader is at the end, and stays put when they have scrolled up to read.
 */
export function LogLines({ lines, label, loading }: { lines?: string[]; label: string; loading?: boolean }) {
  const t = useT();
  const { token } = theme.useToken();
  const ref = useRef<HTMLPreElement>(null);
  const atEnd = useRef(true);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onScroll = () => {
      atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    };
    el.addEventListener("scroll", onScroll);
    return () => el.removeEventListener("scroll", onScroll);
  }, []);
  const text = lines === undefined ? (loading ? t.loading : "") : lines.length === 0 ? t.logEmpty : lines.join("\n");
  return (
    <pre
      ref={ref}
      tabIndex={0}
      role="log"
      aria-label={label}
      aria-busy={loading && lines === undefined ? true : undefined}
      data-testid="log-lines"
      translate="no"
      style={{
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
        fontSize: 12,
        lineHeight: 1.5,
        margin: 0,
        padding: 12,
        height: "calc(100vh - 220px)",
        minHeight: 240,
        overflow: "auto",
        whiteSpace: "pre-wrap",
        wordBreak: "break-all",
        borderRadius: token.borderRadius,
        border: `1px solid ${token.colorBorderSecondary}`,
        background: token.colorFillQuaternary,
        color: token.colorText,
      }}
    >
      {text}
    </pre>
  );
}
