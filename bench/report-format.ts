/** Number, spread and table formatting of the report (Markdown). */
import type { Spread } from "./stats.js";
import type { LaneInfo } from "./types.js";

/** Appends one line to the document being rendered. */
export type Emit = (s?: string) => void;

export function num(v: number | undefined, digits = 2): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(Math.min(1, digits));
  return v.toFixed(digits);
}

/** "median (min–max)", or the value alone for a single run. */
export function fmt(s: Spread | undefined, digits = 2, unit = ""): string {
  if (!s) return "–";
  const u = unit ? ` ${unit}` : "";
  if (s.n === 1 || s.min === s.max) return `${num(s.median, digits)}${u}`;
  return `${num(s.median, digits)}${u} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

export const kb = (bytes: number | undefined): string =>
  bytes === undefined ? "–" : `${(bytes / 1000).toFixed(1)} kB`;
export const mb = (kib: number | undefined): string => (kib === undefined ? "–" : `${(kib / 1024).toFixed(1)} MB`);

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export function laneTitle(l: LaneInfo): string {
  return `\`${l.id}\``;
}
