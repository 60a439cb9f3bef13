import { useEffect, useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { App, Button, Modal, Space, Table, Tag, Tooltip, Typography, type ButtonProps, type CheckboxProps } from "antd";
import type { ColumnsType } from "antd/es/table";
import { approveMany, approveRollout, getRolloutStatus, listWaitingRollouts } from "../api/rollout";
import { getMe } from "../api/auth";
import { isUnauthorized } from "../api/http";
import { approveManyAcrossClusters, getFleetInbox } from "../api/fleet";
import { inCluster } from "../api/clusterScope";
import type { ClusterPart } from "../api/fleetTypes";
import { clusterInfo, useFleet } from "../contexts";
import { MissingClusters } from "../components/ClusterParts";
import { CommandLine } from "../components/CommandLine";
import type { ApproveItem, ApproveItemResult, Permission, RolloutStatus } from "../api/types";
import { Ago, ErrorAlert, Loadable, Title, usePoll } from "../components/common";
import { compareTimes, compareValues, matches, SearchBox, useTableQuery } from "../components/tables";
import { rolloutCommands } from "../components/commands";
import { fmt, useT } from "../i18n";
import { rolloutChange } from "../live";
import { stepText, useWorkloadText, WorkloadLink } from "../components/cells";
import { rolloutPath } from "../components/paths";
import type { Messages } from "../i18n";
import { approveText, releaseText } from "../rolloutSteps";
import { Raw, rawFmt } from "../components/raw";
import { ReasonField, TimelineShort } from "../components/ReleaseTimeline";
import { FLEET_REFRESH_MS } from "../fleet";
import { EvidenceVerdict } from "../components/EvidencePanel";

/** A row's key: namespace/name, after its cluster in the inbox across clusters. */
const keyOf = (r: { cluster?: string; namespace: string; name: string }) => `${r.cluster ? r.cluster + "\n" : ""}${r.namespace}/${r.name}`;

/** A row: a waiting Rollout, or one that was approved here and is no longer waiting. */
export interface Row extends RolloutStatus {
  gone?: boolean;
  /** Its cluster, in the inbox across clusters (more than one cluster registered). */
  cluster?: string;
}

/** The inbox's data: one cluster's waiting Rollouts, or every cluster's with each cluster's part. */
interface Waiting {
  items: Row[];
  clusters?: ClusterPart[];
}

/** GET /fleet/inbox with more than one cluster, else GET /rollout/waiting. */
export const loadWaiting = (multi: boolean): Promise<Waiting> =>
  multi ? getFleetInbox().then((f) => ({ items: f.items, clusters: f.clusters })) : listWaitingRollouts().then((items) => ({ items }));

/** A bulk approval's result, the fleet's ("" for success) said as the cluster's ("OK"). */
const asResult = (r: ApproveItemResult & { cluster?: string }): ApproveItemResult & { cluster?: string } => ({ ...r, code: r.code || "OK" });

/** A bulk approval's result for one Rollout, with the release it was for (its canary revision). */
export interface Result extends ApproveItemResult {
  revision: string;
}

/** The text of a result: it names the step it was for. */
export const resultText = (t: Messages, res: ApproveItemResult) =>
  res.code !== "OK" ? `${res.code}: ${res.message}` : res.changed ? fmt(t.approvedStep, { step: res.step }) : fmt(t.alreadyApproved, { step: res.step });

/**
 * What a row's Result cell says. A result belongs to the step (and release) it was for: while the
 * Rollout is still there it is the row's result; once the Rollout moved on, the cell says where it
 * is now first, and the result only as what happened to that earlier step. A paused Rollout is
 * not approvable from here: resume first.
 */
export function resultView(t: Messages, r: Row, res: Result | undefined): { now?: string; result?: { text: string; current: boolean }; paused?: boolean } {
  if (res) {
    const current = r.active && r.currentStepIndex === res.step && r.canaryRevision === res.revision;
    if (current) return { result: { text: resultText(t, res), current } };
    const now = r.active
      ? fmt(t.inboxNow, { step: stepText(r), state: r.waitingForApproval ? t.stepWaitsNow : r.currentStepState })
      : fmt(t.inboxNowDone, { release: releaseText(t, r) });
    return { now, result: { text: resultText(t, res), current } };
  }
  return { paused: !r.gone && r.paused };
}

/**
 * Approve permission per namespace, from GET /me for each namespace in the list: pending until it
 * answers; when /me fails (not 401) the server decides, as on the other pages.
 */
function useApprovePermissions(namespaces: string[], pending: Permission) {
  const [perms, setPerms] = useState<Record<string, Permission>>({});
  const wanted = namespaces.join("\n");
  useEffect(() => {
    let live = true;
    for (const ns of namespaces) {
      if (perms[ns]) continue;
      // In the inbox across clusters a namespace is "cluster\nnamespace": asked of that cluster.
      const [cluster, namespace] = ns.includes("\n") ? ns.split("\n") : ["", ns];
      inCluster(cluster, () => getMe(namespace)).then(
        (me) => live && setPerms((p) => ({ ...p, [ns]: me.rollouts?.approve ?? { allowed: true } })),
        (e) => live && !isUnauthorized(e) && setPerms((p) => ({ ...p, [ns]: { allowed: true } })),
      );
    }
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted]);
  return (ns: string): Permission => perms[ns] ?? pending;
}

export function Inbox() {
  const t = useT();
  const { message } = App.useApp();
  const fleet = useFleet();
  const multi = fleet.multi;
  // Across clusters the streams are each cluster's: the inbox polls (as the navigation's count does).
  const list = usePoll(() => loadWaiting(multi), [multi], multi ? FLEET_REFRESH_MS : { live: { namespace: "_all", matches: rolloutChange() } });
  const [single, setSingle] = useState<Row>();
  const query = useTableQuery([]);
  const [selected, setSelected] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [reason, setReason] = useState("");
  // The last bulk approval: its results, and the rows as they were (they leave the waiting list).
  const [results, setResults] = useState<Record<string, Result>>({});
  const [approvedRows, setApprovedRows] = useState<Row[]>([]);

  const waiting = useMemo(() => (list.data?.items ?? []).filter((r) => r.waitingForApproval), [list.data]);
  /** Where a row's permission is asked: its namespace, in its cluster. */
  const permKey = (r: Row) => (r.cluster ? `${r.cluster}\n${r.namespace}` : r.namespace);
  const namespaces = useMemo(() => [...new Set(waiting.map(permKey))].sort(), [waiting]);
  const can = useApprovePermissions(namespaces, { allowed: false, reason: t.checkingPermissions });
  const waitingKeys = new Set(waiting.map(keyOf));
  const gone = approvedRows.filter((r) => !waitingKeys.has(keyOf(r)));
  // Where the approved Rollouts that no longer wait are now (not the step they were approved at).
  const now = usePoll(
    async () => Object.fromEntries(await Promise.all(gone.map(async (r) => [keyOf(r), await inCluster(r.cluster ?? "", () => getRolloutStatus(r.namespace, r.name)).catch(() => r)] as const))),
    [gone.map(keyOf).join("\n")],
    multi ? FLEET_REFRESH_MS : { live: { namespace: "_all", matches: rolloutChange() } },
  );
  const rows: Row[] = [...waiting, ...gone.map((r) => ({ ...(now.data?.[keyOf(r)] ?? r), cluster: r.cluster, gone: true }))].filter((r) =>
    matches(query.q, r.namespace, r.name, r.workload.name, r.cluster ?? ""),
  );
  // Only rows still waiting, not paused, and allowed, can be selected.
  const selectable = (r: Row) => !r.gone && !r.paused && can(permKey(r)).allowed;
  const selectedRows = waiting.filter((r) => selected.includes(keyOf(r)) && selectable(r));
  // What the dialog approves: the row whose Approve was pressed, else the selection.
  const chosen = single ? [single] : selectedRows;

  // Selections of rollouts that stopped waiting are dropped.
  useEffect(() => {
    setSelected((s) => s.filter((k) => waitingKeys.has(k)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [waiting]);

  const approve = async () => {
    const items: ApproveItem[] = chosen.map((r) => ({ namespace: r.namespace, name: r.name, step: r.currentStepIndex }));
    setBusy(true);
    setError(undefined);
    try {
      const answer = (
        single
          ? // One row: the cluster's own approve (a 409 REASON_REQUIRED stays in the dialog, by its reason field).
            [await inCluster(single.cluster ?? "", () => approveRollout(single.namespace, single.name, single.currentStepIndex, reason)).then((a) => ({ ...items[0], cluster: single.cluster, changed: a.changed, code: "OK", message: a.message }))]
          : multi
            ? await approveManyAcrossClusters(chosen.map((r, i) => ({ ...items[i], cluster: r.cluster ?? "" })), reason)
            : await approveMany(items, reason)
      ).map(asResult);
      setReason("");
      const revisions = new Map(chosen.map((r) => [keyOf(r), r.canaryRevision]));
      const byKey: Record<string, Result> = {};
      for (const res of answer) byKey[keyOf(res)] = { ...res, revision: revisions.get(keyOf(res)) ?? "" };
      setResults(byKey);
      setApprovedRows(chosen);
      // Approvals refused for want of a reason stay chosen, and the dialog asks for one.
      const needReason = answer.filter((r) => r.code === "REASON_REQUIRED").map(keyOf);
      setSelected(single ? [] : needReason);
      setSingle(undefined);
      setConfirming(needReason.length > 0 && !single);
      if (needReason.length) setError(new Error(fmt(t.reasonNeeded, { n: needReason.length })));
      fleet.reload();
      const changed = answer.filter((r) => r.changed).length;
      const failed = answer.filter((r) => r.code !== "OK").length;
      const summary = fmt(t.approvedCount, { changed, unchanged: answer.length - changed - failed, failed });
      if (failed) message.warning(summary);
      else message.success(summary);
      void list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const columns: ColumnsType<Row> = [
    ...(multi
      ? [
          {
            key: "cluster",
            title: t.cluster,
            sorter: (a: Row, b: Row) => compareValues(a.cluster ?? "", b.cluster ?? ""),
            sortOrder: query.sortOrder("cluster"),
            render: (_: unknown, r: Row) => <Raw testId="inbox-cluster">{r.cluster}</Raw>,
          },
        ]
      : []),
    {
      key: "namespace",
      title: t.namespace,
      sorter: (a, b) => compareValues(a.namespace, b.namespace),
      sortOrder: query.sortOrder("namespace"),
      render: (_, r) => <Raw>{r.namespace}</Raw>,
    },
    {
      key: "name",
      title: t.rollout,
      sorter: (a, b) => compareValues(a.name, b.name),
      sortOrder: query.sortOrder("name"),
      render: (_, r) => <Link to={rolloutPath(r.namespace, r.name, r.cluster)} translate="no">{r.name}</Link>,
    },
    {
      key: "workload",
      title: t.workload,
      sorter: (a, b) => compareValues(a.workload.name, b.workload.name),
      sortOrder: query.sortOrder("workload"),
      render: (_, r) => <WorkloadLink r={r} ns={r.namespace} cluster={r.cluster} />,
    },
    {
      key: "step",
      title: t.step,
      sorter: (a, b) => compareValues(a.currentStepIndex, b.currentStepIndex),
      sortOrder: query.sortOrder("step"),
      render: (_, r) => (r.gone ? <>{stepText(r)} <Tag>{t.noLongerWaiting}</Tag></> : stepText(r)),
    },
    {
      key: "since",
      title: t.waitingSince,
      sorter: (a, b) => compareTimes(a.lastUpdateTime, b.lastUpdateTime),
      sortOrder: query.sortOrder("since"),
      render: (_, r) => <Ago ts={r.lastUpdateTime} />,
    },
    { key: "evidence", title: t.evidenceVerdict, render: (_, r) => !r.gone && <EvidenceVerdict st={r} cluster={r.cluster} /> },
    {
      key: "timeline",
      title: t.tlColumn,
      render: (_, r) => <TimelineShort ns={r.namespace} name={r.name} cluster={r.cluster} />,
    },
    {
      key: "result",
      title: t.result,
      render: (_, r) => {
        const res = results[keyOf(r)];
        const view = resultView(t, r, res);
        if (res) return <ResultCell view={view} res={res} />;
        if (view.paused)
          return (
            <Tag color="warning" data-testid="inbox-paused">
              {t.inboxPaused}
            </Tag>
          );
        const perm = can(permKey(r));
        if (!r.gone && perm.allowed)
          return (
            <Button
              size="small"
              data-testid="inbox-approve-row"
              onClick={() => {
                setSingle(r);
                setConfirming(true);
              }}
            >
              {fmt(t.inboxApproveRow, { step: r.currentStepIndex })}
            </Button>
          );
        if (!perm.allowed && perm.reason !== t.checkingPermissions)
          return (
            <Tooltip title={perm.reason}>
              <Tag data-testid="inbox-denied" data-reason={perm.reason ?? ""} tabIndex={0}>
                {t.notAllowed}
              </Tag>
            </Tooltip>
          );
        return null;
      },
    },
  ];

  const noneSelected = chosen.length === 0;
  return (
    <>
      <Title>{t.inbox}</Title>
      <Typography.Paragraph>{t.inboxHelp}</Typography.Paragraph>
      <Loadable loading={list.loading} error={list.error} onRetry={() => void list.reload()}>
        <MissingClusters parts={list.data?.clusters} />
        <Space style={{ marginBottom: 12 }} wrap>
          <SearchBox query={query} label={t.searchRollouts} />
          {noneSelected ? (
            <Tooltip title={t.selectFirst}>
              <span style={{ display: "inline-block", cursor: "not-allowed", marginBottom: 12 }} data-testid="approve-selected-reason" data-reason={t.selectFirst}>
                <Button type="primary" disabled data-testid="approve-selected">
                  {t.approveSelected}
                </Button>
              </span>
            </Tooltip>
          ) : (
            <Button type="primary" data-testid="approve-selected" onClick={() => setConfirming(true)} style={{ marginBottom: 12 }}>
              {`${t.approveSelected} (${chosen.length})`}
            </Button>
          )}
          {Object.keys(results).length > 0 && (
            <Button
              style={{ marginBottom: 12 }}
              onClick={() => {
                setResults({});
                setApprovedRows([]);
              }}
            >
              {t.clearResults}
            </Button>
          )}
        </Space>
        <Table<Row>
          size="small"
          data-testid="inbox-table"
          rowKey={keyOf}
          dataSource={rows}
          onChange={query.onChange}
          pagination={{ pageSize: 50, hideOnSinglePage: true, current: query.page }}
          locale={{ emptyText: t.empty }}
          rowSelection={{
            selectedRowKeys: selected,
            onChange: (keys) => setSelected(keys.map(String)),
            getCheckboxProps: (r) => ({ disabled: !selectable(r), "aria-label": `${t.approve} ${r.namespace}/${r.name}` }) as CheckboxProps,
          }}
          columns={columns}
        />
      </Loadable>
      <Modal
        open={confirming}
        title={t.approveSelectedTitle}
        onCancel={() => {
          setConfirming(false);
          setSingle(undefined);
          setError(undefined);
        }}
        onOk={() => void approve()}
        okText={t.confirm}
        cancelText={t.cancel}
        confirmLoading={busy}
        okButtonProps={{ disabled: noneSelected, "data-testid": "confirm-action" } as ButtonProps}
        destroyOnHidden
      >
        <ApproveList rows={chosen} />
        <ReasonField value={reason} onChange={setReason} />
        <ErrorAlert error={error} />
      </Modal>
    </>
  );
}

/**
 * What the Approve dialog approves: per Rollout, which step of which workload, what approving it
 * does to which pods (as the Rollout page's Approve dialog says it), and the kubectl equivalent.
 */
export function ApproveList({ rows }: { rows: Row[] }) {
  const t = useT();
  const nameOf = useWorkloadText();
  const fleet = useFleet();
  return (
    <ul data-testid="approve-list">
      {rows.map((r) => (
        <li key={keyOf(r)} style={{ marginBottom: 8 }}>
          {rawFmt(t.approveItem, { rollout: `${r.namespace}/${r.name}`, step: stepText(r), workload: nameOf(r.workload) })}
          {/* The workload's replicas when the status brings them (0: not known), else the line says it cannot count. */}
          <Typography.Paragraph style={{ marginBottom: 0 }} data-testid="approve-summary">
            {approveText(t, r, r.pods?.replicas || undefined)}
          </Typography.Paragraph>
          <CommandLine command={rolloutCommands(r.namespace, r.name).approve} cluster={r.cluster ? clusterInfo(fleet.clusters, r.cluster) : undefined} copyable={false} testId="approve-command" />
        </li>
      ))}
    </ul>
  );
}

/** A result, after where the Rollout is now when it has moved on since. */
function ResultCell({ view, res }: { view: ReturnType<typeof resultView>; res: ApproveItemResult }) {
  const t = useT();
  const color = !view.result?.current ? "default" : res.code !== "OK" ? "error" : res.changed ? "success" : "default";
  return (
    <Space size={4} wrap>
      {view.now && (
        <Tag color="processing" data-testid="inbox-now" style={{ whiteSpace: "normal" }}>
          {view.now}
        </Tag>
      )}
      <Tag
        color={color}
        data-testid="inbox-result"
        data-code={res.code}
        data-changed={String(res.changed)}
        data-current={String(view.result?.current === true)}
        title={view.result?.current ? undefined : fmt(t.inboxEarlier, { step: res.step, result: view.result?.text ?? "" })}
        style={{ whiteSpace: "normal" }}
      >
        {view.result?.text}
      </Tag>
    </Space>
  );
}
