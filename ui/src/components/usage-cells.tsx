import type { ReactNode } from "react";
import { count, pct, usd } from "../lib/format";
import { type ColumnSpec, cellClass } from "./data-table";

/** A row's usage, under the names the usage columns read (each table maps its rows to it). */
export interface Usage {
  requests?: number;
  errors?: number;
  refused?: number;
  input?: number;
  output?: number;
  cache_read?: number;
  cache_write?: number;
  reasoning?: number;
  cache_hit_rate?: number | null;
  cost_usd: number;
}

const FIGURES = {
  requests: { label: "Requests", cell: (u: Usage) => count(u.requests) },
  errors: { label: "Errors", cell: (u: Usage) => ((u.errors ?? 0) > 0 ? <span className="bad">{u.errors}</span> : 0) },
  refused: {
    label: "Refused",
    title: "Refused by llmux (budget, allow-list, limit): no tokens",
    cell: (u: Usage) => count(u.refused),
  },
  input: { label: "Input", cell: (u: Usage) => count(u.input) },
  output: { label: "Output", cell: (u: Usage) => count(u.output) },
  cache_read: { label: "Cache read", cell: (u: Usage) => count(u.cache_read) },
  cache_write: { label: "Cache write", cell: (u: Usage) => count(u.cache_write) },
  reasoning: { label: "Reasoning", cell: (u: Usage) => count(u.reasoning) },
  cache_hit: { label: "Cache hit", cell: (u: Usage) => (u.cache_hit_rate == null ? "—" : pct(u.cache_hit_rate)) },
  cost: { label: "Cost", cell: (u: Usage) => usd(u.cost_usd) },
} satisfies Record<string, { label: string; title?: string; cell: (u: Usage) => ReactNode }>;

export type Figure = keyof typeof FIGURES;

export interface UsageColumn extends ColumnSpec {
  figure: Figure;
}

/** The usage columns of a table, in order; those named in `narrow` hide on narrow screens. */
export function usageColumns(figures: Figure[], narrow: Figure[] = []): UsageColumn[] {
  return figures.map((figure) => ({
    figure,
    ...FIGURES[figure],
    num: true,
    narrow: narrow.includes(figure),
  }));
}

/** A row's usage cells, one per usage column. */
export function UsageCells({ columns, usage }: { columns: UsageColumn[]; usage: Usage }) {
  return (
    <>
      {columns.map((c) => (
        <td key={c.figure} className={cellClass(c)}>
          {FIGURES[c.figure].cell(usage)}
        </td>
      ))}
    </>
  );
}
