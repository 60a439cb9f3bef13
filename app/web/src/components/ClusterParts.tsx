import { Alert, Tag } from "antd";
import type { ClusterPart } from "../api/fleetTypes";
import { fmt, useT } from "../i18n";
import { useClock } from "../clock";
import { age } from "./common";
import { Raw } from "./raw";

// What a fleet view says about each cluster's part: why one contributed nothing (the view never
// passes over a cluster in silence).

/** Whether a cluster's part is missing from the view (it contributed nothing). */
export const partMissing = (p: ClusterPart) => p.code !== "" || !!p.message;

/** Why a cluster contributed nothing (its code and message), and since when it is unreachable. */
export function PartWhy({ p }: { p: ClusterPart }) {
  const t = useT();
  const since = useClock((now) => (!p.reachable && p.unreachableSince ? age(p.unreachableSince, now, t) : ""));
  return (
    <span data-testid="part-why" data-cluster={p.name} data-code={p.code}>
      {since && <>{fmt(t.clusterUnreachableFor, { age: since })}: </>}
      {p.code && <Tag translate="no">{p.code}</Tag>}
      <Raw>{p.message || p.lastError}</Raw>
    </span>
  );
}

/** The clusters missing from a fleet view, each with why; nothing when none. */
export function MissingClusters({ parts }: { parts?: ClusterPart[] }) {
  const t = useT();
  const shown = (parts ?? []).filter(partMissing);
  if (!shown.length) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 12 }}
      data-testid="missing-clusters"
      message={t.fleetMissing}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {shown.map((p) => (
            <li key={p.name}>
              <Raw>{p.name}</Raw>: <PartWhy p={p} />
            </li>
          ))}
        </ul>
      }
    />
  );
}
