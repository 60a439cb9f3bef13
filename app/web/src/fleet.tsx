import { useEffect, useState } from "react";
import { FleetContext, useCurrentCluster, useFleet, type Fleet } from "./contexts";
import { Link, useLocation, useNavigate } from "react-router-dom";
import { Menu, Select, Tag, Tooltip, type MenuProps } from "antd";
import { listClusters } from "./api/cluster";
import { getFleetInbox } from "./api/fleet";
import { listWaitingRollouts } from "./api/rollout";
import { clusterFromPath, currentCluster, inCluster, onStale, pathInCluster, setHomeCluster } from "./api/clusterScope";
import type { Cluster, ClusterState } from "./api/fleetTypes";
import { clusterPath } from "./components/paths";
import { fmt, useT, type Messages } from "./i18n";
import { useClock } from "./clock";
import { age } from "./components/common";
import { Raw, rawFmt } from "./components/raw";

// The fleet as the app knows it (GET /clusters, read again every FLEET_REFRESH_MS), the header's
// cluster switcher, and the inbox count in the navigation. With one cluster registered (or a
// server without /clusters) nothing of it shows: the dashboard looks as it did.

/** How often the clusters and the inbox count are read again. */
export const FLEET_REFRESH_MS = 15000;

/** Reads GET /clusters and the inbox count while signed in; keeps the clusters' staleness. */
export function FleetProvider({ enabled, children }: { enabled: boolean; children: React.ReactNode }) {
  const [clusters, setClusters] = useState<Cluster[]>();
  const [waiting, setWaiting] = useState<number>();
  const [staleSince, setStaleSince] = useState<Record<string, string>>({});
  const [round, setRound] = useState(0);
  useEffect(
    () =>
      onStale((cluster, since) =>
        setStaleSince((cur) => {
          if ((cur[cluster] ?? null) === since) return cur;
          const next = { ...cur };
          if (since) next[cluster] = since;
          else delete next[cluster];
          return next;
        }),
      ),
    [],
  );
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const load = async () => {
      const list = await listClusters().catch(() => undefined);
      if (!live) return;
      setClusters((cur) => (JSON.stringify(cur) === JSON.stringify(list) ? cur : list));
      const home = list?.find((c) => c.home);
      if (home) setHomeCluster(home.name);
      const multi = (list?.length ?? 0) > 1;
      const count = await (multi
        ? getFleetInbox().then((f) => f.items.filter((r) => r.waitingForApproval).length)
        : inCluster("", () => listWaitingRollouts()).then((l) => l.filter((r) => r.waitingForApproval).length)
      ).catch(() => undefined);
      if (live) setWaiting(count);
    };
    void load();
    const id = setInterval(() => void load(), FLEET_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, [enabled, round]);
  const value: Fleet = { clusters, multi: (clusters?.length ?? 0) > 1, waiting, staleSince, reload: () => setRound((n) => n + 1) };
  return <FleetContext.Provider value={value}>{children}</FleetContext.Provider>;
}

/** The colour of a cluster's state (the reachability dot; the state is also said in words). */
export const stateDot = (s: ClusterState): string =>
  s === "ready" ? "#52c41a" : s === "syncing" || s === "connecting" ? "#1677ff" : s === "unreachable" ? "#ff4d4f" : "#bfbfbf";

/** A cluster's state in words; an unreachable one's age ticks. */
export function ClusterStateText({ c }: { c: Pick<Cluster, "state" | "unreachableSince" | "refused"> }) {
  const t = useT();
  const since = useClock((now) => (c.unreachableSince ? age(c.unreachableSince, now, t) : ""));
  if (c.state === "unreachable" && since) return <>{fmt(t.clusterUnreachableFor, { age: since })}</>;
  if (c.state === "refused" && c.refused) return <>{rawFmt(t.clusterRefused, { reason: c.refused })}</>;
  return <>{t[`clusterState_${c.state}`] ?? c.state}</>;
}

/**
 * Where switching to another cluster goes from a page: the same kind of page where that makes sense
 * (a list stays that list, a detail page goes to its list), else the overview. The namespace is
 * not kept (another cluster has its own); a workload list keeps its type.
 */
export function switchPath(pathname: string, search: string, target: string): string {
  const page = pathInCluster(pathname);
  const params = new URLSearchParams(search);
  const [, first = "", type] = page.split("/");
  let to = "/";
  if (first === "workloads") {
    const ty = type ? decodeURIComponent(type) : params.get("type");
    to = ty ? `/workloads?type=${encodeURIComponent(ty)}` : "/workloads";
  } else if (["rollouts", "inbox", "fleet", "attention"].includes(first)) to = "/" + first;
  return clusterPath(to, target);
}

/** The header's cluster: its name and reachability dot, and the switcher (only with more than one cluster). */
export function ClusterSwitcher() {
  const t = useT();
  const { clusters, multi, staleSince } = useFleet();
  const location = useLocation();
  const navigate = useNavigate();
  const current = useCurrentCluster();
  const name = current?.name ?? clusterFromPath(location.pathname);
  const stale = staleSince[currentCluster()];
  if (!multi || !clusters) return null;
  return (
    <>
      <Select
        aria-label={t.cluster}
        data-testid="cluster-select"
        value={name || undefined}
        onChange={(target: string) => navigate(switchPath(location.pathname, location.search, target))}
        style={{ width: 150 }}
        popupMatchSelectWidth={360}
        optionLabelProp="short"
        options={[
          ...clusters.map((c) => ({
            value: c.name,
            disabled: c.state === "refused",
            short: <ClusterName c={{ ...c, home: false }} />,
            label: (
              <span data-testid="cluster-option" data-cluster={c.name} data-state={c.state} title={c.state === "refused" ? c.refused : c.lastError || undefined}>
                <ClusterName c={c} /> <span style={{ opacity: 0.75 }}>· <ClusterStateText c={c} /></span>
              </span>
            ),
          })),
          ...(current || !name ? [] : [{ value: name, disabled: true, short: <Raw>{name}</Raw>, label: rawFmt(t.clusterNotListed, { cluster: name }) }]),
        ]}
      />
      {stale && <StaleTag since={stale} />}
    </>
  );
}

/** A cluster's name with its reachability dot (and "home"). */
export function ClusterName({ c }: { c: Pick<Cluster, "name" | "state" | "home"> }) {
  const t = useT();
  return (
    <span data-testid="cluster-name" data-state={c.state} style={{ whiteSpace: "nowrap" }}>
      <span aria-hidden="true" style={{ display: "inline-block", width: 8, height: 8, borderRadius: "50%", background: stateDot(c.state), marginInlineEnd: 6, verticalAlign: "middle" }} />
      <Raw>{c.name}</Raw>
      {c.home && <Tag style={{ marginInlineStart: 6 }}>{t.clusterHome}</Tag>}
    </span>
  );
}

/** Says that what the page shows is the unreachable cluster's cache, and of when. */
function StaleTag({ since }: { since: string }) {
  const t = useT();
  const a = useClock((now) => age(since, now, t));
  return (
    <Tooltip title={fmt(t.clusterStaleHelp, { age: a })}>
      <Tag color="warning" data-testid="cluster-stale" tabIndex={0}>
        {fmt(t.clusterStale, { age: a })}
      </Tag>
    </Tooltip>
  );
}

/** The inbox's navigation label with the count of releases waiting (none when 0 or unknown). */
export function InboxLabel({ t }: { t: Messages }) {
  const { waiting } = useFleet();
  return (
    <>
      {t.inbox}
      {waiting ? (
        <span
          data-testid="inbox-count"
          title={fmt(t.inboxWaitingCount, { n: waiting })}
          style={{ marginInlineStart: 6, padding: "0 6px", borderRadius: 8, background: "#cf1322", color: "#fff", fontSize: 12, lineHeight: "16px", display: "inline-block" }}
        >
          {waiting}
        </span>
      ) : null}
    </>
  );
}

/** The navigation: the pages of a cluster, then (with more than one cluster) the fleet's. */
export function FleetMenu({ selected, items }: { selected: string; items: NonNullable<MenuProps["items"]> }) {
  const t = useT();
  const { multi } = useFleet();
  const fleetItems = multi
    ? [
        { key: "/fleet", label: <Link to={clusterPath("/fleet")} data-testid="fleet-link">{t.fleet}</Link> },
        { key: "/attention", label: <Link to={clusterPath("/attention")} data-testid="attention-link">{t.attention}</Link> },
      ]
    : [];
  // With the fleet's items the menu keeps every item in view (the header wraps its controls to a
  // second line when they do not fit); alone it folds its items into "…" as before.
  return multi ? (
    <Menu theme="dark" mode="horizontal" selectedKeys={[selected]} items={[...items, ...fleetItems]} style={{ flex: "1 0 auto" }} disabledOverflow />
  ) : (
    <Menu theme="dark" mode="horizontal" selectedKeys={[selected]} items={items} style={{ flex: 1, minWidth: 0 }} />
  );
}
