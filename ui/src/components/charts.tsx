import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { DataTable } from "./data-table";

/** Colours told apart in light and dark themes and by most colour-blind readers (Okabe–Ito). */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8a7b00", "#7f7f7f"];

export interface Series {
  key: string;
  label: string;
}

export type Point = { label: string } & Record<string, number | string | null>;

interface ChartProps {
  title: string;
  kind: "bar" | "stacked" | "line" | "area";
  data: Point[];
  series: Series[];
  /** How a value reads on the axis, in the tooltip and in the table. */
  format: (v: number) => string;
  id: string;
  /** What a point is, in the table's summary ("periods" on a time axis). */
  unit?: string;
  /** The values are whole numbers (requests, tokens): the axis has no ticks between them (no 0.5 request). */
  integer?: boolean;
}

/**
 * One chart, with the same numbers in a table beneath it (folded) for screen readers, keyboard users and
 * anyone who wants exact values.
 */
export function Chart({ title, kind, data, series, format, id, unit = "periods", integer = false }: ChartProps) {
  const axis = {
    tick: { fontSize: 11, fill: "currentColor" },
    stroke: "currentColor",
    strokeOpacity: 0.3,
  };
  const common = { data, margin: { top: 8, right: 8, bottom: 0, left: 0 } };
  const rows = data.filter((p) => series.some((s) => typeof p[s.key] === "number" && p[s.key] !== 0));
  // Few points with values: draw them as dots too (a lone point makes no line).
  const sparse = data.filter((p) => series.some((s) => typeof p[s.key] === "number")).length < 40;
  const x = <XAxis dataKey="label" {...axis} minTickGap={24} />;
  const y = <YAxis {...axis} width={66} tickFormatter={(v: number) => format(v)} allowDecimals={!integer} />;
  const grid = <CartesianGrid strokeOpacity={0.15} vertical={false} />;
  const tip = (
    <Tooltip
      formatter={(v) => (typeof v === "number" ? format(v) : String(v))}
      contentStyle={{ background: "var(--bg)", border: "1px solid var(--line)", color: "var(--fg)" }}
    />
  );
  const order = new Map(series.map((s, i) => [s.key, i]));
  const legend =
    series.length > 1 ? (
      <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={(item) => order.get(String(item.dataKey)) ?? 0} />
    ) : null;
  // One frame for every kind; each series drawn as its kind wants (mark, below).
  const Frame = kind === "line" ? LineChart : kind === "area" ? AreaChart : BarChart;
  const chart = (
    <Frame {...common}>
      {grid}
      {x}
      {y}
      {tip}
      {legend}
      {series.map((s, i) => mark(kind, s, PALETTE[i % PALETTE.length]!, sparse))}
    </Frame>
  );
  return (
    <figure className="chart" aria-labelledby={`${id}-title`} data-testid={`chart-${id}`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <div className="chart-box" aria-hidden="true">
        {rows.length === 0 ? (
          <p className="chart-empty">Nothing in this period.</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 320, height: 200 }}>
            {chart}
          </ResponsiveContainer>
        )}
      </div>
      <details className="chart-data">
        <summary>
          Numbers ({rows.length} of {data.length} {unit} with data)
        </summary>
        <DataTable columns={["Time", ...series.map((s) => ({ label: s.label, key: s.key }))]}>
          {rows.map((p) => (
            <tr key={String(p.t ?? p.label)}>
              <th scope="row">{p.label}</th>
              {series.map((s) => (
                <td key={s.key} className="num">
                  {typeof p[s.key] === "number" ? format(p[s.key] as number) : "—"}
                </td>
              ))}
            </tr>
          ))}
        </DataTable>
      </details>
    </figure>
  );
}

/** One series of a chart of this kind, in its colour (with dots when the points are few, for a line). */
function mark(kind: ChartProps["kind"], s: Series, colour: string, sparse: boolean) {
  const common = { dataKey: s.key, name: s.label, isAnimationActive: false };
  if (kind === "line")
    return <Line key={s.key} {...common} stroke={colour} dot={sparse} strokeWidth={2} connectNulls />;
  // No outline: a stacked area's line runs along the top of the stack, so a series at zero would be drawn at the
  // height of those beneath it (zero reasoning tokens read as 12K). Bands only.
  if (kind === "area")
    return <Area key={s.key} {...common} stackId="a" type="linear" stroke="none" fill={colour} fillOpacity={0.6} />;
  return <Bar key={s.key} {...common} stackId={kind === "stacked" ? "a" : undefined} fill={colour} />;
}
