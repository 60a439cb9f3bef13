import { Link, useSearchParams } from "react-router-dom";
import { Table, Tabs } from "antd";
import { listWorkloads } from "../api/workload";
import type { Workload } from "../api/types";
import { age, Loadable, Title, usePoll } from "../components/common";
import { useWorkloadTypes } from "../App";
import { useT } from "../i18n";
import { summarize } from "../workloadSummary";

export function Workloads({ ns }: { ns: string }) {
  const t = useT();
  const types = useWorkloadTypes();
  const [params, setParams] = useSearchParams();
  const type = params.get("type") ?? types[0]?.type ?? "";
  return (
    <>
      <Title>{t.workloads} ({ns})</Title>
      <Tabs
        activeKey={type}
        onChange={(k) => setParams((p) => { p.set("type", k); return p; })}
        items={types.map((ty) => ({ key: ty.type, label: ty.kind, children: ty.type === type ? <WorkloadTable ns={ns} type={ty.type} /> : null }))}
      />
    </>
  );
}

function WorkloadTable({ ns, type }: { ns: string; type: string }) {
  const t = useT();
  const list = usePoll(() => listWorkloads(ns, type), [ns, type]);
  return (
    <Loadable loading={list.loading} error={list.error}>
      <Table<Workload>
        size="small"
        data-testid="workload-table"
        rowKey={(w) => w.metadata.name}
        dataSource={list.data ?? []}
        locale={{ emptyText: t.empty }}
        columns={[
          { title: t.name, render: (_, w) => <Link to={`/workloads/${type}/${encodeURIComponent(w.metadata.name)}?ns=${encodeURIComponent(ns)}`}>{w.metadata.name}</Link> },
          { title: t.replicas, render: (_, w) => summarize(w).replicas },
          { title: t.ready, render: (_, w) => summarize(w).ready },
          { title: t.updated, render: (_, w) => summarize(w).updated },
          { title: t.revision, render: (_, w) => summarize(w).revision },
          { title: t.age, render: (_, w) => age(w.metadata.creationTimestamp) },
        ]}
      />
    </Loadable>
  );
}
