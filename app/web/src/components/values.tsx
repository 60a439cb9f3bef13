import type { WorkloadType } from "../api/types";
import { useWorkloadTypes } from "../contexts";
import { useT, type Messages } from "../i18n";
import { namedByKind, typeLabel } from "../workloadTypes";
import { Raw } from "./raw";

// The API's own values as the page's language says them: a Rollout's phase, step state and
// strategy, a pod's phase, an event's type, where usage comes from. A value the UI has no name for
// (a newer controller's) is shown as the API wrote it, marked as such (Raw).

/** The kinds of API value the UI names, each the prefix of its messages (i18n.ts). */
export type ValueKind = "rolloutPhase" | "stepState" | "strategy" | "podPhase" | "eventType" | "usageSource";

/** The name of an API value in the page's language, or undefined when the UI has none. */
export function valueText(t: Messages, kind: ValueKind, value?: string | null): string | undefined {
  if (!value) return undefined;
  const key = `${kind}_${value}`;
  return key in t ? String(t[key as keyof Messages]) : undefined;
}

/** An API value in the page's language (data-value: as the API wrote it); "-" for none. */
export function ApiValue({ kind, value, testId }: { kind: ValueKind; value?: string | null; testId?: string }) {
  const t = useT();
  if (!value) return <span data-testid={testId}>-</span>;
  const text = valueText(t, kind, value);
  if (text === undefined) return <Raw testId={testId}>{value}</Raw>;
  return (
    <span data-value={value} data-testid={testId}>
      {text}
    </span>
  );
}

/** A workload type's name: its title in the page's language, else its kind (an API name: Raw). */
export function TypeName({ ty, all }: { ty: WorkloadType; all: WorkloadType[] }) {
  const t = useT();
  const label = typeLabel(ty, all, t.locale);
  return namedByKind(ty, t.locale) ? <Raw>{label}</Raw> : <>{label}</>;
}

/**
 * A workload type named by its id (e.g. an attention item's or a favourite's type): its name as
 * TypeName says it, from GET /workload-types; a type not served here is "Workload", never the id.
 */
export function TypeOfId({ type }: { type: string }) {
  const t = useT();
  const all = useWorkloadTypes();
  const ty = all.find((x) => x.type === type);
  return ty ? <TypeName ty={ty} all={all} /> : <>{t.workload}</>;
}
