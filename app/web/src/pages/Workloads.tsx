import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { Alert, Button, Space, Table, Tabs, Tag, Tooltip, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import type { SortOrder } from "antd/es/table/interface";
import { listWorkloadPage } from "../api/workload";
import type { CompactWorkload, WorkloadPageParams, WorkloadType } from "../api/types";
import { Ago, ErrorAlert, Loadable, Title, usePoll } from "../components/common";
import { compareTimes, compareValues, FilterIcon, SearchBox, useTableQuery } from "../components/tables";
import { useRefusedTypes, useWorkloadTypes } from "../contexts";
import { fmt, useT, type Messages } from "../i18n";
import { workloadChange } from "../live";
import { stateColor, stateLabel, type State } from "../workloadSummary";
import { apiNamespace, cellText, controllerOf, isClusterScoped, originText, sortValue, typeFields, typeLabel } from "../workloadTypes";
import { OwnerLink } from "../components/cells";
import { workloadPath } from "../components/paths";
import { FavouriteStar } from "../components/Favourites";
import { Raw, rawFmt } from "../components/raw";
import { TypeName } from "../components/values";

/** A type's tab label: its name, and a tag when its objects are in no namespace. */
export function TypeTabLabel({ ty, all }: { ty: WorkloadType; all: WorkloadType[] }) {
  const t = useT();
  const label = <TypeName ty={ty} all={all} />;
  if (!isClusterScoped(ty)) return label;
  return (
    <Tooltip title={rawFmt(t.clusterScopedHelp, { kind: typeLabel(ty, all, t.locale) })}>
      <span data-testid={`cluster-scoped-${ty.type}`}>
        {label} <Tag style={{ marginInlineEnd: 0 }}>{t.clusterScoped}</Tag>
      </span>
    </Tooltip>
  );
}

export function Workloads({ ns }: { ns: string }) {
  const t = useT();
  const types = useWorkloadTypes();
  const refused = useRefusedTypes();
  const [params, setParams] = useSearchParams();
  const type = params.get("type") ?? types[0]?.type ?? "";
  return (
    <>
      <Title label={`${t.workloads} (${ns})`}>
        {t.workloads} (<Raw>{ns}</Raw>)
      </Title>
      {refused.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="declarations-refused"
          message={t.declarationsRefused}
          description={
            <ul style={{ margin: 0 }}>
              {refused.map((r) => (
                <li key={r.file}>
                  <Typography.Text strong>{originText(t, r, rawFmt)}</Typography.Text> <Raw>{r.refusal}</Raw>
                </li>
              ))}
            </ul>
          }
        />
      )}
      <Tabs
        activeKey={type}
        tabBarGutter={24}
        onChange={(k) =>
          setParams((p) => {
            // Sort and filter keys are per type; the search text is kept.
            for (const key of ["type", "sort", "order", "state", "page"]) p.delete(key);
            p.set("type", k);
            return p;
          })
        }
        items={types.map((ty) => ({ key: ty.type, label: <TypeTabLabel ty={ty} all={types} />, children: ty.type === type ? <WorkloadTable ns={ns} ty={ty} /> : null }))}
      />
    </>
  );
}

/** Rows per page asked of the server; the server's largest page. */
const PAGE = 200;
const MAX_LIMIT = 1000;

type Query = Pick<WorkloadPageParams, "q" | "state" | "sort">;

/** The server's order for the URL's sort: name either way; age youngest first when ascending (as people read ages). */
export function serverSort(sort: string | null, descending: boolean): WorkloadPageParams["sort"] {
  if (sort === "name") return descending ? "-name" : "name";
  if (sort === "age") return descending ? "created" : "-created";
  return undefined;
}

/** The first count rows matching query (one request up to 1000), and the query they answer. */
export async function loadRows(ns: string, type: string, query: Query, count: number) {
  let page = await listWorkloadPage(ns, type, { ...query, limit: Math.min(count, MAX_LIMIT) });
  let items = page.items;
  while (page.continue && items.length < count) {
    page = await listWorkloadPage(ns, type, { ...query, limit: Math.min(count - items.length, MAX_LIMIT), continue: page.continue });
    items = [...items, ...page.items];
  }
  return { ...page, items, query: JSON.stringify(query) };
}

/** A row's state, computed by the server from the kind's own fields. */
const rowState = (w: CompactWorkload): State => w.state as State;

type Local = (f: (a: CompactWorkload, b: CompactWorkload) => number) => ((a: CompactWorkload, b: CompactWorkload) => number) | undefined;

/**
 * The columns between State and Age: the type's columns from the registry with the values the
 * server computed (item.columns): a time as an age, a number right-aligned. local gives a sorter
 * when every matching row is loaded.
 */
export function fieldColumns(ty: WorkloadType, t: Messages, local: Local, sortOrder: (key: string) => SortOrder): ColumnsType<CompactWorkload> {
  return typeFields(ty, t.locale, "list").map((f) => ({
    key: f.key,
    title: f.title,
    align: f.kind === "number" ? "right" : undefined,
    sorter: local((a, b) => (f.kind === "time" ? compareTimes(f.value(a) as string | null, f.value(b) as string | null) : compareValues(sortValue(f.value(a)), sortValue(f.value(b))))),
    sortOrder: sortOrder(f.key),
    render: (_, w) => {
      const v = f.value(w);
      // What the declaration computes is the object's own (names, images), not the page's words.
      return f.kind === "time" ? <Ago ts={typeof v === "string" ? v : null} /> : <span data-testid={`cell-${f.key}`} translate="no">{cellText(v)}</span>;
    },
  }));
}

function WorkloadTable({ ns, ty }: { ns: string; ty: WorkloadType }) {
  const t = useT();
  const types = useWorkloadTypes();
  const { type } = ty;
  const kind = typeLabel(ty, types, t.locale);
  // A cluster-scoped type's objects are under _cluster whatever namespace the page shows.
  const apiNs = apiNamespace(ty, ns);
  const [params] = useSearchParams();
  const query = useTableQuery(["state"]);
  // Search, state and the order by name or age are the server's; other columns sort what is loaded.
  const server: Query = { q: query.q.trim(), state: query.filtered("state")?.[0], sort: serverSort(params.get("sort"), params.get("order") === "desc") };
  const key = JSON.stringify(server);
  // How many rows a reload asks for: the first page, more after "Load more".
  const count = useRef(PAGE);
  const list = usePoll(() => loadRows(apiNs, type, server, count.current), [apiNs, type], { live: { namespace: apiNs, matches: workloadChange(type) } });
  const [more, setMore] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const { reload } = list;
  const applied = useRef(key);
  useEffect(() => {
    if (applied.current === key) return;
    // Typing in the search box asks once it pauses.
    const id = setTimeout(() => {
      applied.current = key;
      count.current = PAGE;
      void reload();
    }, 250);
    return () => clearTimeout(id);
  }, [key, reload]);
  const page = list.data;
  const complete = page !== undefined && !page.continue;
  const loadMore = async () => {
    if (!page?.continue) return;
    setMore({ busy: true });
    try {
      const next = await listWorkloadPage(apiNs, type, { ...server, limit: PAGE, continue: page.continue });
      count.current = page.items.length + PAGE;
      list.setData((cur) => cur && { ...next, items: [...cur.items, ...next.items], query: cur.query });
      setMore({ busy: false });
    } catch (e) {
      setMore({ busy: false, error: e });
    }
  };
  const states = ty.states as State[];
  // Sorted here only when every matching row is loaded (else the order would be the loaded rows').
  const local = (f: (a: CompactWorkload, b: CompactWorkload) => number) => (complete ? f : undefined);
  const columns: ColumnsType<CompactWorkload> = [
    {
      key: "name",
      title: t.name,
      sorter: true,
      sortOrder: query.sortOrder("name"),
      render: (_, w) => (
        <>
          <Link to={workloadPath(ns, type, w.metadata.name)} translate="no">
            {w.metadata.name}
          </Link>
          <FavouriteStar kind="workload" type={type} namespace={ns} name={w.metadata.name} />
        </>
      ),
    },
    {
      key: "state",
      title: t.state,
      sorter: local((a, b) => compareValues(t[stateLabel(rowState(a))], t[stateLabel(rowState(b))])),
      sortOrder: query.sortOrder("state"),
      filterIcon: <FilterIcon />,
      filters: states.length > 0 ? states.map((s) => ({ text: t[stateLabel(s)], value: s })) : undefined,
      filteredValue: server.state ? [server.state] : null,
      filterMultiple: false,
      render: (_, w) => {
        const s = rowState(w);
        return <Tag color={stateColor(s)} data-testid="workload-state">{t[stateLabel(s)] ?? s}</Tag>;
      },
    },
    ...fieldColumns(ty, t, local, query.sortOrder),
    // The controller owning an object (a UnitedDeployment's subset), when one in the list has one.
    ...((page?.items ?? []).some((w) => controllerOf(w.metadata))
      ? [
          {
            key: "owner",
            title: t.managedBy,
            render: (_: unknown, w: CompactWorkload) => {
              const owner = controllerOf(w.metadata);
              return owner ? <OwnerLink owner={owner} ns={ns} /> : "-";
            },
          },
        ]
      : []),
    {
      key: "age",
      title: t.age,
      sorter: true,
      sortOrder: query.sortOrder("age"),
      render: (_, w) => <Ago ts={w.metadata.creationTimestamp} />,
    },
  ];
  return (
    <>
      {isClusterScoped(ty) && <Alert type="info" showIcon style={{ marginBottom: 12 }} message={rawFmt(t.clusterScopedHelp, { kind })} data-testid="cluster-scoped-note" />}
      <SearchBox query={query} label={t.search} />
      <Loadable loading={list.loading} error={list.error} onRetry={() => void list.reload()}>
        <Table<CompactWorkload>
          size="small"
          data-testid="workload-table"
          rowKey={(w) => w.metadata.name}
          dataSource={page?.items ?? []}
          loading={page !== undefined && page.query !== key}
          locale={{ emptyText: t.empty }}
          onChange={query.onChange}
          pagination={false}
          columns={columns}
        />
        {page && (
          <Space style={{ marginTop: 12 }}>
            <span data-testid="workload-count">{fmt(t.shownOf, { shown: page.items.length, total: page.total })}</span>
            {page.continue && (
              <Button onClick={() => void loadMore()} loading={more.busy} disabled={page.query !== key} data-testid="load-more">
                {t.loadMore}
              </Button>
            )}
          </Space>
        )}
        <ErrorAlert error={more.error} />
      </Loadable>
    </>
  );
}
