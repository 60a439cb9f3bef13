import { useCallback, useEffect, useRef, useState } from "react";
import { Alert, Button, Card, Empty, Modal, Space, Spin, Table, Tag, Tooltip, Typography } from "antd";
import { ApiError } from "../api/http";
import type { KubeEvent, Permission } from "../api/types";
import { useT } from "../i18n";

export const REFRESH_MS = 5000;

/** Loads data now, on an interval, and on reload(); keeps the last data while refreshing. */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[], intervalMs = REFRESH_MS) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    try {
      setData(await loadRef.current());
      setError(undefined);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    setLoading(true);
    setData(undefined);
    void reload();
    const id = setInterval(() => void reload(), intervalMs);
    return () => clearInterval(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { data, error, loading, reload };
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
      message={`${t.error}: ${e.code}`}
      description={
        <Space direction="vertical">
          <span data-testid="error-message">{e.message}</span>
          {e.traceId && (
            <span>
              {t.traceId}: <Typography.Text copyable code data-testid="trace-id">{e.traceId}</Typography.Text>
            </span>
          )}
        </Space>
      }
    />
  );
}

/** Loading, error and empty states around content. */
export function Loadable({ loading, error, empty, children }: { loading: boolean; error: unknown; empty?: boolean; children: React.ReactNode }) {
  const t = useT();
  if (loading) return <Spin tip={t.loading}><div style={{ minHeight: 80 }} /></Spin>;
  return (
    <>
      <ErrorAlert error={error} />
      {empty ? <Empty description={t.empty} /> : children}
    </>
  );
}

/**
 * A button that asks before it acts: the dialog shows the equivalent kubectl command, and the
 * optional body (an input) can hold the action back until it is valid.
 */
export function ActionButton(props: {
  label: string;
  title: string;
  command: string;
  run: () => Promise<unknown>;
  onDone: (result: unknown) => void;
  danger?: boolean;
  type?: "primary" | "default";
  body?: React.ReactNode;
  ready?: boolean;
  testId?: string;
  /** From /me: when not allowed the button is disabled and its tooltip says why. */
  permission?: Permission;
}) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
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
        onCancel={() => setOpen(false)}
        onOk={ok}
        okText={t.confirm}
        cancelText={t.cancel}
        confirmLoading={busy}
        okButtonProps={{ danger: props.danger, disabled: props.ready === false, "data-testid": "confirm-action" } as any}
        destroyOnHidden
      >
        <Space direction="vertical" style={{ width: "100%" }}>
          <div>
            {t.command}: <Typography.Text code copyable data-testid="command">{props.command}</Typography.Text>
          </div>
          {props.body}
          <ErrorAlert error={error} />
        </Space>
      </Modal>
    </>
  );
}

/** Human age of a timestamp, like kubectl's AGE column. */
export function age(ts?: string | null): string {
  if (!ts) return "-";
  const s = Math.max(0, Math.floor((Date.now() - new Date(ts).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
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
            { title: t.type, render: (_, e) => <Tag color={e.type === "Warning" ? "warning" : "default"}>{e.type}</Tag> },
            { title: t.reason, dataIndex: "reason" },
            { title: t.message, dataIndex: "message" },
            { title: t.count, dataIndex: "count" },
            {
              title: t.lastSeen,
              render: (_, e) => {
                const ts = seen(e.lastTimestamp) ?? seen(e.firstTimestamp);
                return <Tooltip title={ts}>{age(ts)}</Tooltip>;
              },
            },
            { title: t.source, dataIndex: "source" },
          ]}
        />
      </Loadable>
    </Card>
  );
}

export const Title = ({ children }: { children: React.ReactNode }) => <Typography.Title level={3}>{children}</Typography.Title>;

export { Button };
