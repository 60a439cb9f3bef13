import { useSearchParams } from "react-router-dom";
import { Input } from "antd";
import { CloseCircleFilled, FilterFilled, SearchOutlined } from "@ant-design/icons";
import { useT } from "../i18n";
import type { TablePaginationConfig } from "antd";
import type { FilterValue, SorterResult, SortOrder } from "antd/es/table/interface";

// Search, sort, filter and page of a table live in the URL query, so the back button and a reload
// keep them: ?q=shop&sort=age&order=desc&state=ready,updating&page=2.

/** Orders numbers, then strings (naturally: "web-2" before "web-10"); empty values last. */
export function compareValues(a: unknown, b: unknown): number {
  const none = (v: unknown) => v === null || v === undefined || v === "" || v === "-";
  if (none(a) || none(b)) return none(a) === none(b) ? 0 : none(a) ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
}

/** Orders timestamps (RFC 3339), oldest first; missing ones last. */
export function compareTimes(a?: string | null, b?: string | null): number {
  const ta = a ? new Date(a).getTime() : NaN;
  const tb = b ? new Date(b).getTime() : NaN;
  if (Number.isNaN(ta) || Number.isNaN(tb)) return Number.isNaN(ta) === Number.isNaN(tb) ? 0 : Number.isNaN(ta) ? 1 : -1;
  return ta - tb;
}

/** Whether the search text (case-insensitive, any of its words) is in one of the values. */
export function matches(q: string, ...values: (string | undefined | null)[]): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = values.filter(Boolean).join(" ").toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** What the table query reads of an antd sort change (any row type's SorterResult is one). */
type SortChange = Pick<SorterResult<unknown>, "columnKey" | "order">;

export interface TableQuery {
  q: string;
  setQ: (q: string) => void;
  /** The column's sort order as antd wants it. */
  sortOrder: (key: string) => SortOrder;
  /** The column's filter values (null: none). */
  filtered: (key: string) => string[] | null;
  page: number;
  onChange: (pagination: TablePaginationConfig, filters: Record<string, FilterValue | null>, sorter: SortChange | SortChange[]) => void;
}

/** The table state in the URL; filterKeys are the filterable columns' keys (also their query names). */
export function useTableQuery(filterKeys: string[]): TableQuery {
  const [params, setParams] = useSearchParams();
  const sort = params.get("sort");
  const order = params.get("order") === "desc" ? "descend" : "ascend";
  return {
    q: params.get("q") ?? "",
    setQ: (q) =>
      setParams(
        (p) => {
          if (q) p.set("q", q);
          else p.delete("q");
          p.delete("page");
          return p;
        },
        { replace: true },
      ),
    sortOrder: (key) => (sort === key ? order : null),
    filtered: (key) => {
      const v = params.get(key);
      return v ? v.split(",").filter(Boolean) : null;
    },
    page: Math.max(1, Number(params.get("page")) || 1),
    onChange: (pagination, filters, sorter) =>
      setParams((p) => {
        const s = Array.isArray(sorter) ? sorter[0] : sorter;
        const changedView = (s?.columnKey ? String(s.columnKey) : null) !== sort || (s?.order ?? null) !== (sort ? order : null);
        if (s?.order && s.columnKey !== undefined) {
          p.set("sort", String(s.columnKey));
          p.set("order", s.order === "descend" ? "desc" : "asc");
        } else {
          p.delete("sort");
          p.delete("order");
        }
        let changedFilter = false;
        for (const k of filterKeys) {
          const v = (filters[k] ?? []).map(String).join(",");
          if (v !== (p.get(k) ?? "")) changedFilter = true;
          if (v) p.set(k, v);
          else p.delete(k);
        }
        const page = changedView || changedFilter ? 1 : (pagination.current ?? 1);
        if (page > 1) p.set("page", String(page));
        else p.delete("page");
        return p;
      }),
  };
}

/**
 * The search box of a table, bound to ?q= (it searches as one types: no button). Its icons are
 * named in the page's language (antd names them by their icon: "search", "close-circle").
 */
export function SearchBox({ query, label, testId = "table-search" }: { query: TableQuery; label: string; testId?: string }) {
  const t = useT();
  return (
    <Input
      type="search"
      allowClear={{ clearIcon: <CloseCircleFilled aria-label={t.clearSearch} /> }}
      prefix={<SearchOutlined aria-hidden="true" />}
      aria-label={label}
      placeholder={label}
      data-testid={testId}
      value={query.q}
      onChange={(e) => query.setQ(e.target.value)}
      style={{ width: 320, maxWidth: "100%", marginBottom: 12 }}
    />
  );
}

/** A filterable column's trigger, named in the page's language (antd's is named "filter"). */
export function FilterIcon() {
  const t = useT();
  return <FilterFilled aria-label={t.filter} />;
}
