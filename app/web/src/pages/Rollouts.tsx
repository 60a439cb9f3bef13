import { Link } from "react-router-dom";
import { Table, Tag } from "antd";
import type { ColumnsType } from "antd/es/table";
import { listAllRollouts } from "../api/rollout";
import type { RolloutStatus } from "../api/types";
import { Ago, Loadable, Title, usePoll } from "../components/common";
import { compareTimes, compareValues, FilterIcon, matches, SearchBox, useTableQuery } from "../components/tables";
import { useT } from "../i18n";
import { rolloutChange } from "../live";
import { PhaseTag, stepText, WorkloadLink } from "../components/cells";
import { Raw } from "../components/raw";
import { valueText } from "../components/values";
import { rolloutPath } from "../components/paths";
import { FavouriteStar } from "../components/Favourites";

/** The states the State column shows and its filter offers, the same set (a rollout can be in several). */
export const STATES = ["waiting", "progressing", "paused", "disabled", "idle"] as const;
export type RolloutListState = (typeof STATES)[number];

function inState(r: RolloutStatus, s: string): boolean {
  switch (s) {
    case "waiting":
      return r.waitingForApproval;
    case "progressing":
      return r.active;
    case "paused":
      return r.paused;
    case "disabled":
      return r.disabled;
    case "idle":
      return !r.active;
  }
  return false;
}

/** The states a rollout is in, in the filter's order: what its State cell shows. */
export const rolloutStates = (r: RolloutStatus): RolloutListState[] => STATES.filter((s) => inState(r, s));

const STATE_COLOR: Record<RolloutListState, string> = { waiting: "warning", progressing: "processing", paused: "default", disabled: "default", idle: "default" };

/** A rollout's State cell: a tag per state it is in, named as the filter names them. */
export function RolloutStates({ r, text }: { r: RolloutStatus; text: Record<RolloutListState, string> }) {
  return (
    <>
      {rolloutStates(r).map((s) => (
        <Tag key={s} color={STATE_COLOR[s]} data-testid={`rollout-state-${s}`}>
          {text[s]}
        </Tag>
      ))}
    </>
  );
}

export function Rollouts({ ns }: { ns: string }) {
  const t = useT();
  const list = usePoll(() => listAllRollouts(ns), [ns], { live: { namespace: ns, matches: rolloutChange() } });
  const query = useTableQuery(["phase", "state"]);
  const rows = (list.data ?? []).filter((r) => matches(query.q, r.name, r.workload.name));
  const phases = [...new Set((list.data ?? []).map((r) => r.phase || "-"))].sort();
  const stateText: Record<RolloutListState, string> = {
    waiting: t.waitingApproval,
    progressing: t.releaseInProgress,
    paused: t.paused,
    disabled: t.disabled,
    idle: t.notInRelease,
  };
  const columns: ColumnsType<RolloutStatus> = [
    {
      key: "name",
      title: t.name,
      sorter: (a, b) => compareValues(a.name, b.name),
      sortOrder: query.sortOrder("name"),
      render: (_, r) => (
        <>
          <Link to={rolloutPath(r.namespace || ns, r.name)} translate="no">
            {r.name}
          </Link>
          <FavouriteStar kind="rollout" namespace={r.namespace || ns} name={r.name} />
        </>
      ),
    },
    {
      key: "workload",
      title: t.workload,
      sorter: (a, b) => compareValues(`${a.workload.kind}/${a.workload.name}`, `${b.workload.kind}/${b.workload.name}`),
      sortOrder: query.sortOrder("workload"),
      render: (_, r) => <WorkloadLink r={r} ns={ns} />,
    },
    {
      key: "phase",
      title: t.phase,
      sorter: (a, b) => compareValues(a.phase, b.phase),
      sortOrder: query.sortOrder("phase"),
      filterIcon: <FilterIcon />,
      filters: phases.map((p) => ({ text: valueText(t, "rolloutPhase", p) ?? p, value: p })),
      filteredValue: query.filtered("phase"),
      onFilter: (v, r) => (r.phase || "-") === v,
      render: (_, r) => <PhaseTag r={r} />,
    },
    {
      key: "step",
      title: t.step,
      sorter: (a, b) => compareValues(a.currentStepIndex || null, b.currentStepIndex || null),
      sortOrder: query.sortOrder("step"),
      // The step and the controller's state of it (StepPaused, StepUpgrade…).
      // The controller's step state, named in the page's language (as the API wrote it when unknown).
      render: (_, r) =>
        r.currentStepState && r.currentStepIndex && r.active ? (
          <>
            {stepText(r)} · {valueText(t, "stepState", r.currentStepState) ?? <Raw>{r.currentStepState}</Raw>}
          </>
        ) : (
          stepText(r)
        ),
    },
    {
      key: "state",
      title: t.state,
      sorter: (a, b) => compareValues(rolloutStates(a).map((s) => stateText[s]).join(), rolloutStates(b).map((s) => stateText[s]).join()),
      sortOrder: query.sortOrder("state"),
      filterIcon: <FilterIcon />,
      filters: STATES.map((s) => ({ text: stateText[s], value: s })),
      filteredValue: query.filtered("state"),
      onFilter: (v, r) => inState(r, String(v)),
      render: (_, r) => <RolloutStates r={r} text={stateText} />,
    },
    {
      key: "updated",
      title: t.lastUpdate,
      sorter: (a, b) => compareTimes(b.lastUpdateTime, a.lastUpdateTime),
      sortOrder: query.sortOrder("updated"),
      render: (_, r) => <Ago ts={r.lastUpdateTime} />,
    },
  ];
  return (
    <>
      <Title label={`${t.rollouts} (${ns})`}>
        {t.rollouts} (<Raw>{ns}</Raw>)
      </Title>
      <Loadable loading={list.loading} error={list.error} onRetry={() => void list.reload()}>
        <SearchBox query={query} label={t.searchRollouts} />
        <Table<RolloutStatus>
          size="small"
          data-testid="rollout-table"
          rowKey={(r) => r.namespace + "/" + r.name}
          dataSource={rows}
          onChange={query.onChange}
          pagination={{ pageSize: 50, hideOnSinglePage: true, current: query.page }}
          locale={{ emptyText: t.empty }}
          columns={columns}
        />
      </Loadable>
    </>
  );
}
