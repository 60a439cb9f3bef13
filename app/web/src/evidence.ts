import type { components } from "./api/schema";
import type { Messages } from "./i18n";

// The release evidence as the UI says it (components/EvidencePanel.tsx): the dashboard's verdict
// from Prometheus (the controller checks no metrics), its numbers with their units, and whether
// it is still current. Only "not worse", and only while current, is shown green.

export type Evidence = components["schemas"]["Result"];
export type EvidenceSide = components["schemas"]["Side"];

/** How often the evidence is asked for again while a step waits. */
export const EVIDENCE_REFRESH_MS = 15000;
/** Evidence older than this is not shown as current (three refreshes missed, or more). */
export const EVIDENCE_STALE_MS = 3 * EVIDENCE_REFRESH_MS;

/** The antd Tag colour a verdict is shown in: green only for notWorse, never for what is not known. */
export type Tone = "success" | "error" | "warning" | "default";

export interface VerdictView {
  tone: Tone;
  /** The verdict in the page's language; undefined for a verdict the UI has no name for (shown raw). */
  text: string | undefined;
  /** A symbol that tells the verdict without its colour. */
  symbol: string;
}

/**
 * A verdict as shown: notWorse green (✓), worse red (✗), notEnoughData a warning (?),
 * unavailable and any verdict the UI does not know neutral (–). Stale evidence is neutral whatever
 * it said: it is no longer the verdict of what runs now.
 */
export function verdictView(t: Messages, verdict: string, stale = false): VerdictView {
  const known: Record<string, Omit<VerdictView, "text"> & { text: string }> = {
    notWorse: { tone: "success", text: t.verdict_notWorse, symbol: "✓" },
    worse: { tone: "error", text: t.verdict_worse, symbol: "✗" },
    notEnoughData: { tone: "warning", text: t.verdict_notEnoughData, symbol: "?" },
    unavailable: { tone: "default", text: t.verdict_unavailable, symbol: "–" },
  };
  const v: VerdictView = known[verdict] ?? { tone: "default", text: undefined, symbol: "–" };
  return stale ? { ...v, tone: "default", symbol: "…" } : v;
}

/** Whether evidence measured at `at` is too old to be shown as current at `now` (ms). */
export function isStale(at: string, now: number): boolean {
  const t = new Date(at).getTime();
  return Number.isNaN(t) || now - t > EVIDENCE_STALE_MS;
}

const MISSING = "—";

const number = (t: Messages, v: number, digits: number) => new Intl.NumberFormat(t.locale, { maximumFractionDigits: digits }).format(v);

/** Requests per second, "—" when not measured (never 0 for unknown). */
export const rateText = (t: Messages, v?: number | null) => (v == null ? MISSING : fmtUnit(t.unitPerSecond, number(t, v, 2)));

/** A count of requests in the window. */
export const countText = (t: Messages, v?: number | null) => (v == null ? MISSING : number(t, Math.round(v), 0));

/** A ratio 0..1 as a percentage. */
export const ratioText = (t: Messages, v?: number | null) =>
  v == null ? MISSING : new Intl.NumberFormat(t.locale, { style: "percent", maximumFractionDigits: 2 }).format(v);

/** A latency in seconds: milliseconds below a second, seconds from one. */
export const latencyText = (t: Messages, v?: number | null) =>
  v == null ? MISSING : v < 1 ? fmtUnit(t.unitMilliseconds, number(t, v * 1000, 1)) : fmtUnit(t.unitSeconds, number(t, v, 2));

const fmtUnit = (unit: string, n: string) => unit.replace("{n}", n);
