import { Link, useSearchParams } from "react-router-dom";
import { Table, Tabs, Tag } from "antd";
import type { ColumnsType } from "antd/es/table";
import { listWorkloads } from "../api/workload";
import type { Workload } from "../api/types";
import { Ago, Loadable, Title, usePoll } from "../components/common";
import { compareTimes, compareValues, matches, SearchBox, useTableQuery } from "../components/tables";
import { useWorkloadTypes } from "../App";
import { useT } from "../i18n";
import { listFieldsOf, stateColor, stateLabel, stateOf, statesOf } from "../workloadSummary";

export function Workloads({ ns }: { ns: string }) {
  const t = useT();
  const types = useWorkloadTypes();
  const [params, setParams] = useSearchParams();
  const type = params.get("type") ?? types[0]?.type ?? "";
  return (
    <>
      <Title>{`${t.workloads} (${ns})`}</Title>
      <Tabs
        activeKey={type}
        onChange={(k) =>
          setParams((p) => {
            // Sort and filter keys are per type; the search text is kept.
            for (const key of ["type", "sort", "order", "state", "page"]) p.delete(key);
            p.set("type", k);
            return p;
          })
        }
        items={types.map((ty) => ({ key: ty.type, label: ty.kind, children: ty.type === type ? <WorkloadTable ns={ns} type={ty.type} kind={ty.kind} /> : null }))}
      />
    </>
  );
}

function WorkloadTable({ ns, type, kind }: { ns: string; type: string; kind: string }) {
  const t = useT();
  const list = usePoll(() => listWorkloads(ns, type), [ns, type]);
  const query = useTableQuery(["state"]);
  const fields = listFieldsOf(kind);
  const states = statesOf(kind);
  const rows = (list.data ?? []).filter((w) => matches(query.q, w.metadata.name));
  const columns: ColumnsType<Workload> = [
    {
      key: "name",
      title: t.name,
      sorter: (a, b) => compareValues(a.metadata.name, b.metadata.name),
      sortOrder: query.sortOrder("name"),
      render: (_, w) => <Link to={`/workloads/${type}/${encodeURIComponent(w.metadata.name)}?ns=${encodeURIComponent(ns)}`}>{w.metadata.name}</Link>,
    },
    {
      key: "state",
      title: t.state,
      sorter: (a, b) => compareValues(t[stateLabel(stateOf(a))], t[stateLabel(stateOf(b))]),
      sortOrder: query.sortOrder("state"),
      filters: states.map((s) => ({ text: t[stateLabel(s)], value: s })),
      filteredValue: query.filtered("state"),
      onFilter: (value, w) => stateOf(w) === value,
      render: (_, w) => {
        const s = stateOf(w);
        return <Tag color={stateColor(s)} data-testid="workload-state">{t[stateLabel(s)]}</Tag>;
      },
    },
    ...fields.map(
      (f): ColumnsType<Workload>[number] => ({
        key: f.key,
        title: t[f.title],
        sorter: (a, b) => (f.time ? compareTimes(f.value(a) as string | null, f.value(b) as string | null) : compareValues(f.value(a), f.value(b))),
        sortOrder: query.sortOrder(f.key),
        render: (_, w) => {
          const v = f.value(w);
          return f.time ? <Ago ts={v as string | null} /> : (v ?? "-");
        },
      }),
    ),
    {
      key: "age",
      title: t.age,
      // Youngest first when ascending, as people read ages.
      sorter: (a, b) => compareTimes(b.metadata.creationTimestamp, a.metadata.creationTimestamp),
      sortOrder: query.sortOrder("age"),
      render: (_, w) => <Ago ts={w.metadata.creationTimestamp} />,
    },
  ];
  return (
    <Loadable loading={list.loading} error={list.error} onRetry={() => void list.reload()}>
      <SearchBox query={query} label={t.search} />
      <Table<Workload>
        size="small"
        data-testid="workload-table"
        rowKey={(w) => w.metadata.name}
        dataSource={rows}
        locale={{ emptyText: t.empty }}
        onChange={query.onChange}
        pagination={{ pageSize: 50, hideOnSinglePage: true, current: query.page }}
        columns={columns}
      />
    </Loadable>
  );
}
