import type { Limits } from "./types";

/** Numbers, money, times and durations in words for the page. */

const usd2 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2 });
const usdSmall = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 3 });
const int = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Dollars: cents from a dollar up, three significant digits below (the tiny costs of single requests). */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  return Math.abs(v) >= 1 || v === 0 ? usd2.format(v) : usdSmall.format(v);
}

export function count(v: number | null | undefined): string {
  return v === null || v === undefined ? "—" : int.format(v);
}

export function short(v: number): string {
  return compact.format(v);
}

export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}

export function pct(v: number): string {
  return `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
}

/** A time as the reader's local date and time, to the second. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** A time in a narrow column: the time alone today, with the date otherwise. */
export function whenShort(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${time}`;
}

/** A time on a chart axis: hours and minutes within a day, dates beyond. */
export function tick(iso: string, bucket: "minute" | "hour" | "day"): string {
  const d = new Date(iso);
  if (bucket === "day") return d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** How long ago, roughly. */
export function ago(iso: string): string {
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.max(0, s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** JSON text, indented when it parses; as it is otherwise. */
export function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A key's or team's rate limits in words ("60 rpm, 4 at once"), or a dash when it has none. */
export function limitsWords(l: Limits | null | undefined): string {
  if (!l) return "—";
  const words = [l.rpm && `${l.rpm} rpm`, l.tpm && `${l.tpm} tpm`, l.concurrency && `${l.concurrency} at once`];
  return words.filter(Boolean).join(", ") || "—";
}

/** A span of time in words: "1 h 4 min", "3 min 12 s", or as `ms` below a minute. */
export function duration(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (v < 60_000) return ms(v);
  const s = Math.round(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
