/**
 * One logged request as a readable block for a terminal (`llmux logs`, `logging.conversations`): who, which
 * model and route, timings, tokens and cost, then the conversation as the model saw it (the system prompt
 * folded, Markdown rendered, code highlighted, tool calls with their JSON arguments, tool results cut short,
 * reasoning dimmed), then the answer. Colours only when asked for (a terminal, or --color).
 */
import { stripVTControlCharacters } from "node:util";
import chalk from "chalk";
import { highlight, type Theme } from "cli-highlight";
import { Marked } from "marked";
import { markedTerminal } from "marked-terminal";
import type { ConversationMessage, ConversationPart } from "./conversation.js";
import type { RequestDetail, RequestRow } from "./view.js";

export interface RenderOptions {
  /** ANSI colours and styles (a terminal, or --color). */
  colour: boolean;
  /** Columns to wrap Markdown at. */
  width?: number;
  /** Show every line of long texts and tool results. */
  full?: boolean;
}

/** The colour level the terminal supports (detected once, at load), used when colours are on. */
const DETECTED = chalk.level;

/** Long texts and tool results are cut to this many lines (unless `full`). */
const TEXT_LINES = 16;
const RESULT_LINES = 12;
const REASONING_LINES = 20;
const LINE_CHARS = 400;
const SYSTEM_CHARS = 160;

/** cli-highlight's theme, on the same chalk instance (so that --color and NO_COLOR govern code too). */
const THEME: Theme = {
  keyword: (s) => chalk.magenta(s),
  built_in: (s) => chalk.cyan(s),
  type: (s) => chalk.cyan.dim(s),
  literal: (s) => chalk.yellowBright(s),
  number: (s) => chalk.yellow(s),
  regexp: (s) => chalk.red(s),
  string: (s) => chalk.green(s),
  attr: (s) => chalk.cyan(s),
  attribute: (s) => chalk.cyan(s),
  comment: (s) => chalk.gray(s),
  meta: (s) => chalk.gray(s),
  title: (s) => chalk.blueBright.bold(s),
  section: (s) => chalk.blueBright.bold(s),
  name: (s) => chalk.blueBright(s),
  tag: (s) => chalk.gray(s),
  addition: (s) => chalk.green(s),
  deletion: (s) => chalk.red(s),
};

const markdowns = new Map<string, Marked>();
const same = (s: string) => s;

/**
 * A Markdown renderer for the terminal at `width` columns. `plain`: blocks are not wrapped in a style reset
 * (marked-terminal's default for paragraphs), so that a style around the whole text (dimmed reasoning) holds.
 */
function markdown(width: number, plain = false): Marked {
  const key = `${width}:${plain}`;
  let m = markdowns.get(key);
  if (!m) {
    const blocks = plain ? { paragraph: same, listitem: same, hr: same, table: same } : {};
    m = new Marked(markedTerminal({ width, reflowText: true, tab: 2, emoji: false, ...blocks }, { theme: THEME }));
    markdowns.set(key, m);
  }
  return m;
}

/** Made on first use: a formatter touches ICU's data (~6 MB of RSS) in a process that may never print one. */
let grouped: Intl.NumberFormat | undefined;
const GROUPED = {
  format(n: number): string {
    grouped ??= new Intl.NumberFormat("en-US");
    return grouped.format(n);
  },
};

function duration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function usd(v: number): string {
  if (v === 0) return "$0";
  return v < 0.01 ? `$${v.toFixed(6).replace(/0+$/, "")}` : `$${v.toFixed(4)}`;
}

const indent = (text: string, by: string) =>
  text
    .split("\n")
    .map((l) => (l.length > 0 ? by + l : l))
    .join("\n");

/** At most `lines` lines (each at most LINE_CHARS characters), and how much was left out. */
function cut(text: string, lines: number, full: boolean | undefined): string {
  if (full) return text;
  const all = text.split("\n");
  const kept = all.slice(0, lines).map((l) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS)}…` : l));
  const more = all.length - kept.length;
  return more > 0
    ? `${kept.join("\n")}\n${chalk.dim(`… ${GROUPED.format(more)} more line${more === 1 ? "" : "s"}`)}`
    : kept.join("\n");
}

function statusWord(r: RequestRow): string {
  const code = r.status ? String(r.status) : "---";
  const words = `${code} ${r.outcome}`;
  if (r.outcome === "ok") return chalk.green(words);
  if (r.outcome === "aborted") return chalk.dim(words);
  return r.status >= 500 ? chalk.red(words) : chalk.yellow(words);
}

/** The request's facts: who, model and route, timings, tokens and cost. */
function header(r: RequestRow, width: number): string[] {
  const title = ` ${r.id} · ${r.time.replace("T", " ").replace(/\.\d+Z$/, "Z")} · ${r.method} ${r.path} · `;
  const rule = Math.max(4, width - title.length - `${r.status} ${r.outcome}`.length - 4);
  const out = [`${chalk.dim("──")}${chalk.bold(title)}${statusWord(r)} ${chalk.dim("─".repeat(rule))}`];
  const line = (label: string, value: string) => out.push(` ${chalk.dim(label.padEnd(8))}${value}`);
  const who = [
    r.key_name ?? (r.key_id ? undefined : "no key"),
    r.key_id,
    r.team_id && `team ${r.team_id}`,
    r.user && `user ${r.user}`,
    r.client_tool && chalk.dim(`[${r.client_tool}]`),
  ].filter(Boolean);
  line("who", who.join(" · "));
  const asked = r.requested_model ?? r.alias;
  if (asked || r.provider) {
    const parts = [chalk.bold(asked ?? "?")];
    if (r.alias && r.alias !== asked) parts.push(`(alias ${r.alias})`);
    if (r.provider)
      parts.push(
        `→ ${r.provider}${r.model && r.model !== asked ? ` ${r.model}` : ""}${r.deployment && r.deployment !== r.provider ? ` (${r.deployment})` : ""}`,
      );
    const tail = [
      r.client_dialect && `${r.client_dialect} API`,
      r.stream === null ? null : r.stream ? "stream" : "no stream",
    ];
    const how = tail.filter(Boolean).join(" · ");
    line("model", `${parts.join(" ")}${how ? chalk.dim(` · ${how}`) : ""}`);
  }
  if (r.route || r.attempts > 1) line("route", `${r.route ?? ""}${r.attempts > 1 ? ` (${r.attempts} attempts)` : ""}`);
  const times = [duration(r.latency_ms)];
  if (r.ttft_ms !== null) times.push(`ttft ${duration(r.ttft_ms)}`);
  if (r.overhead_ms !== null) times.push(`llmux ${duration(r.overhead_ms)}`);
  line("time", times.join(" · "));
  if (r.input_tokens || r.output_tokens || r.cost_usd) {
    const approx = r.estimated ? "≈" : "";
    const t = [`${approx}${GROUPED.format(r.input_tokens)} in`, `${approx}${GROUPED.format(r.output_tokens)} out`];
    if (r.cache_read_tokens) t.push(`${GROUPED.format(r.cache_read_tokens)} cached`);
    if (r.cache_write_tokens) t.push(`${GROUPED.format(r.cache_write_tokens)} cache write`);
    if (r.reasoning_tokens) t.push(`${GROUPED.format(r.reasoning_tokens)} reasoning`);
    t.push(usd(r.cost_usd));
    line("tokens", t.join(" · "));
  }
  if (r.outcome !== "ok" && (r.reason || r.error_class))
    line(
      r.outcome === "refused" ? "refused" : r.outcome === "aborted" ? "aborted" : "failed",
      chalk.yellow([r.error_class, r.reason].filter(Boolean).join(": ")),
    );
  for (const w of r.warnings) line("warning", chalk.yellow(w.message));
  return out;
}

const ROLE_STYLE: Record<ConversationMessage["role"], (s: string) => string> = {
  user: (s) => chalk.bold.cyan(s),
  assistant: (s) => chalk.bold.green(s),
  tool: (s) => chalk.bold.yellow(s),
  developer: (s) => chalk.bold.magenta(s),
  system: (s) => chalk.bold.magenta(s),
};

/** JSON arguments pretty-printed and highlighted (as they are when they are not JSON). */
function jsonText(text: string): string {
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
  return chalk.level > 0 ? highlight(pretty, { language: "json", ignoreIllegals: true, theme: THEME }) : pretty;
}

function renderPart(p: ConversationPart, opts: Required<Pick<RenderOptions, "width">> & RenderOptions): string {
  switch (p.type) {
    case "text":
      return cut(markdown(opts.width).parse(p.text, { async: false }).trimEnd(), TEXT_LINES, opts.full);
    case "reasoning": {
      const label = p.redacted && !p.text ? "thinking (redacted)" : "thinking";
      const text = p.text
        ? `\n${cut(markdown(opts.width, true).parse(p.text, { async: false }).trimEnd(), REASONING_LINES, opts.full)}`
        : "";
      return `${chalk.dim.italic(`${label}${text}`)}\n`;
    }
    case "image":
      return chalk.dim(
        `[image${p.media_type ? ` ${p.media_type}` : ""}${p.url && !p.url.startsWith("data:") ? ` ${p.url}` : ""}]`,
      );
    case "tool_call":
      return `${chalk.bold.blueBright(`⚙ ${p.name}`)} ${chalk.dim(p.id)}\n${indent(cut(jsonText(p.arguments), TEXT_LINES, opts.full), "  ")}`;
    case "tool_result": {
      const head = p.is_error ? chalk.red(`↳ error for ${p.tool_call_id}`) : chalk.dim(`↳ result of ${p.tool_call_id}`);
      return `${head}\n${indent(cut(p.content.trimEnd(), RESULT_LINES, opts.full), "  ")}`;
    }
  }
}

function renderMessage(m: ConversationMessage, opts: Required<Pick<RenderOptions, "width">> & RenderOptions): string {
  const body = m.parts.map((p) => renderPart(p, opts)).filter((s) => s.length > 0);
  return `${ROLE_STYLE[m.role](`▌ ${m.role}`)}\n${indent(body.join("\n"), "   ")}`;
}

function setColour(colour: boolean): void {
  chalk.level = colour ? DETECTED || 1 : 0;
}

/** One request as a block of text (no trailing newline). */
export function renderRequest(
  d: RequestRow & Partial<Pick<RequestDetail, "conversation" | "answer">>,
  opts: RenderOptions,
): string {
  const before = chalk.level;
  setColour(opts.colour);
  try {
    const text = block(d, opts);
    return opts.colour ? text : stripVTControlCharacters(text);
  } finally {
    chalk.level = before;
  }
}

function block(d: RequestRow & Partial<Pick<RequestDetail, "conversation" | "answer">>, opts: RenderOptions): string {
  const width = Math.max(40, opts.width ?? 100);
  const o = { ...opts, width: width - 4 };
  const out = header(d, width);
  const c = d.conversation;
  if (c) {
    out.push("");
    if (c.system) {
      const flat = c.system.replace(/\s+/g, " ").trim();
      const room = Math.max(20, Math.min(SYSTEM_CHARS, width - 36));
      const folded =
        flat.length > room ? `${flat.slice(0, room)}… (${GROUPED.format(c.system.length)} characters)` : flat;
      out.push(` ${chalk.dim("system".padEnd(8))}${chalk.dim(folded)}`);
    }
    if (c.tools.length > 0) {
      const names = c.tools.map((t) => t.name);
      const shown = names.length > 12 ? `${names.slice(0, 12).join(", ")}, …` : names.join(", ");
      out.push(` ${chalk.dim("tools".padEnd(8))}${chalk.dim(`${shown} (${names.length})`)}`);
    }
    for (const m of c.messages) out.push(indent(renderMessage(m, o), " "));
  } else if (d.has_bodies === false && d.outcome !== "refused") {
    out.push(` ${chalk.dim("(the conversation is shown when bodies are kept: logging.bodies)")}`);
  }
  if (d.answer) {
    out.push(` ${chalk.dim(`${"═".repeat(2)} answer ${"═".repeat(Math.max(4, width - 14))}`)}`);
    out.push(indent(renderMessage(d.answer, o), " "));
  }
  return out.join("\n");
}
