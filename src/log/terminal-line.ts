/**
 * Log lines for a person at a terminal: one short line per request, and short lines for everything else.
 * Pure functions over the JSON object pino would have written (see finalise.ts for the request fields); every
 * field may be missing.
 *
 *   13:40:02 200 POST /v1/messages claude-sonnet-4-5 (alias claude-*) → anthropic 1.2 s ttft 310 ms 1,234→567 tok key:alice [claude-code]
 *   13:40:05 401 POST /v1/messages refused: the API key is not one of llmux's service keys [claude-code]
 */

type Obj = Record<string, unknown>;

export interface Style {
  dim(s: string): string;
  ok(s: string): string;
  warn(s: string): string;
  error(s: string): string;
  bold(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

export const COLOURS: Style = {
  dim: ansi(2, 22),
  ok: ansi(32, 39),
  warn: ansi(33, 39),
  error: ansi(31, 39),
  bold: ansi(1, 22),
};

const id = (s: string) => s;
export const PLAIN: Style = { dim: id, ok: id, warn: id, error: id, bold: id };

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Made on first use: a formatter touches ICU's data (~6 MB of RSS) in a process that may never print one. */
let grouped: Intl.NumberFormat | undefined;
const GROUPED = {
  format(n: number): string {
    grouped ??= new Intl.NumberFormat("en-US");
    return grouped.format(n);
  },
};

/** `840 ms`, `1.2 s`, `1 min 5 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function tokens(t: unknown): string | undefined {
  if (!t || typeof t !== "object") return undefined;
  const o = t as Obj;
  const input = num(o.input);
  const output = num(o.output);
  if (input === undefined && output === undefined) return undefined;
  const approx = o.estimated === true ? "≈" : "";
  let s = `${approx}${GROUPED.format(input ?? 0)}→${GROUPED.format(output ?? 0)} tok`;
  const cached = num(o.cache_read);
  if (cached) s += ` (${GROUPED.format(cached)} cached)`;
  return s;
}

/** Warnings in words: `[{code, message}]` as the messages, plain codes as they are. */
function warnings(w: unknown): string[] {
  if (!Array.isArray(w)) return [];
  return w
    .map((x) =>
      typeof x === "string"
        ? x
        : x && typeof x === "object"
          ? (str((x as Obj).message) ?? str((x as Obj).code))
          : undefined,
    )
    .filter((x): x is string => x !== undefined);
}

export function isRequestLine(o: Obj): boolean {
  return o.req_id !== undefined && (o.path !== undefined || o.status !== undefined);
}

function clock(o: Obj): string {
  const t = o.time;
  const d = typeof t === "number" ? new Date(t) : typeof t === "string" ? new Date(t) : new Date();
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** One request as one line (without the time). */
export function requestLine(o: Obj, style: Style = PLAIN): string {
  const status = num(o.status);
  const outcome = str(o.outcome);
  const aborted = outcome === "aborted";
  const failed = outcome === "error" || outcome === "refused" || (status !== undefined && status >= 400);
  const parts: string[] = [];
  const code = status !== undefined ? String(status) : aborted ? "---" : "???";
  parts.push(
    aborted
      ? style.dim(code)
      : status !== undefined && status >= 500
        ? style.error(code)
        : failed
          ? style.warn(code)
          : style.ok(code),
  );
  const method = str(o.method);
  if (method) parts.push(method);
  const path = str(o.path);
  if (path) parts.push(path);
  const requested = str(o.requested);
  const alias = str(o.alias);
  const model = str(o.model);
  const provider = str(o.provider);
  const asked = requested ?? alias;
  if (asked) parts.push(style.bold(asked));
  if (alias && requested && alias !== requested) parts.push(`(alias ${alias})`);
  if (provider) {
    const deployment = str(o.deployment);
    const upstream = model && model !== asked ? ` ${model}` : "";
    parts.push(`→ ${provider}${upstream}${deployment && deployment !== provider ? ` (${deployment})` : ""}`);
  }
  if (o.passthrough === true) parts.push(style.dim("passthrough"));
  const latency = num(o.latency_ms);
  if (latency !== undefined) parts.push(duration(latency));
  const ttft = num(o.ttfb_ms);
  if (ttft !== undefined && o.stream === true) parts.push(`ttft ${duration(ttft)}`);
  // A request that failed before an answer has only estimates of what it sent: not worth a column.
  const t = tokens(o.tokens);
  if (t && !(failed && t.startsWith("≈"))) parts.push(t);
  const key = str(o.key);
  if (key) parts.push(`key:${key.replace(/^key:/, "")}`);
  const tool = str(o.client_tool);
  if (tool) parts.push(style.dim(`[${tool}]`));
  let line = parts.join(" ");
  if (aborted) line += ` ${style.dim("— aborted by the client")}`;
  else if (failed) {
    const why = str(o.reason) ?? str(o.error) ?? str(o.msg);
    const verb = outcome === "refused" || status === 401 || status === 403 ? "refused" : "failed";
    if (why) line += ` ${style.warn(`${verb}: ${why}`)}`;
  }
  const w = warnings(o.warnings);
  if (w.length > 0) line += ` ${style.warn(`⚠ ${w.join("; ")}`)}`;
  // At the debug level: how the request was routed, in words.
  const d = Array.isArray(o.decisions) ? o.decisions.filter((x): x is string => typeof x === "string") : [];
  if (d.length > 0) line += ` ${style.dim(`· ${d.join("; ")}`)}`;
  return line;
}

const LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
const SKIP = new Set(["level", "time", "msg", "pid", "hostname", "v"]);

function value(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(",");
  if (v && typeof v === "object" && typeof (v as Obj).message === "string") return (v as Obj).message as string;
  return JSON.stringify(v);
}

/** Any log object as one line for a terminal (the time first, then the words). */
export function terminalLine(o: Obj, style: Style = PLAIN): string {
  const time = style.dim(clock(o));
  if (isRequestLine(o)) return `${time} ${requestLine(o, style)}`;
  const level = typeof o.level === "number" ? (LEVELS[o.level] ?? "info") : String(o.level ?? "info");
  const label =
    level === "warn"
      ? style.warn("warning: ")
      : level === "error" || level === "fatal"
        ? style.error(`${level}: `)
        : "";
  const msg = String(o.msg ?? "");
  const extras = Object.entries(o)
    .filter(([k, v]) => !SKIP.has(k) && v !== undefined && !msg.includes(value(v)))
    .map(([k, v]) => style.dim(`${k}=${value(v)}`));
  return [`${time} ${label}${msg}`, ...extras].join(" ");
}
