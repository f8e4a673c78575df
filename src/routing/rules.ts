/**
 * Routing rules (`routing.rules:`): an ordered list, the first rule whose conditions all hold routes the
 * request to its alias. Each rule is compiled once into a list of checks, cheapest first; the input-token
 * count (the one that costs: the tokenizer) is asked for last, and only when every other condition held.
 * Nothing here does I/O. Every check that holds says why in words (`~182k tokens > 120k`), which the
 * `llmux-route` header and the request log carry.
 */
import { COMPARISON, type RoutingRule, type RuleMatch, SHARE_COMPARISON, TIME_RANGE } from "../config/schema-rules.js";
import { globToRegExp } from "../text/glob.js";
import type { BodyFacts } from "./rule-facts.js";

/** What a rule is matched against: known before the request is planned (headers, key) or read from its body. */
export interface RuleRequest {
  /** The model asked for. */
  readonly model: string;
  /** The calling tool (claude-code, codex, cursor, …), when recognised. */
  readonly client?: string | undefined;
  /** main: the session's main loop; sub: a sub-agent. */
  readonly agent: "main" | "sub";
  /** A minted key's name. */
  readonly key?: string | undefined;
  readonly team?: string | undefined;
  readonly tags: readonly string[];
  /** Minutes since midnight in billing.timezone (asked only by a rule with `time`). */
  readonly minuteOfDay: () => number;
  /** The share spent of the tightest budget that applies, as last known here (none: no budget, or not yet known). */
  readonly budgetShare?: number | undefined;
  readonly body: BodyFacts;
}

/** A rule that held: its name, its alias, why it held. */
export interface RuleMatched {
  readonly rule: string;
  readonly route: string;
  readonly why: string;
}

/** One condition: the words saying why it holds, or undefined when it does not. */
type Check = (r: RuleRequest) => string | undefined;

interface Compiled {
  readonly rule: RoutingRule;
  readonly checks: readonly Check[];
  readonly tokens?: { readonly op: "<" | ">"; readonly n: number; readonly text: string } | undefined;
}

function count(text: string): { op: "<" | ">"; n: number } {
  const m = COMPARISON.exec(text)!;
  const scale = m[3]!.toLowerCase() === "k" ? 1e3 : m[3]!.toLowerCase() === "m" ? 1e6 : 1;
  return { op: m[1] as "<" | ">", n: Number(m[2]) * scale };
}

/** A token count as people say it: 182k, 1.2m, 950. */
export function short(n: number): string {
  if (n >= 1e6) return `${Math.round(n / 1e5) / 10}m`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${Math.round(n / 1e2) / 10}k`;
  return String(n);
}

const list = (v: string | readonly string[] | undefined): readonly string[] | undefined =>
  v === undefined ? undefined : typeof v === "string" ? [v] : v;

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

function checksOf(m: RuleMatch): Check[] {
  const out: Check[] = [];
  // Cheapest first: what the headers and the key say, then the body's reasoning, tools and media.
  if (m.model !== undefined) {
    const re = globToRegExp(m.model);
    const glob = m.model;
    out.push((r) =>
      re.test(r.model) ? (glob.includes("*") ? `model ${r.model} matches ${glob}` : `model ${glob}`) : undefined,
    );
  }
  const clients = list(m.client)?.map((c) => c.toLowerCase());
  if (clients)
    out.push((r) => (r.client && clients.includes(r.client.toLowerCase()) ? `client ${r.client}` : undefined));
  if (m.agent !== undefined) {
    const agent = m.agent;
    out.push((r) => (r.agent === agent ? (agent === "sub" ? "sub-agent" : "main loop") : undefined));
  }
  if (m.key !== undefined) {
    const re = globToRegExp(m.key);
    out.push((r) => (r.key !== undefined && re.test(r.key) ? `key ${r.key}` : undefined));
  }
  if (m.team !== undefined) {
    const team = m.team;
    out.push((r) => (r.team === team ? `team ${team}` : undefined));
  }
  if (m.tag !== undefined) {
    const tag = m.tag.toLowerCase();
    out.push((r) => (r.tags.some((t) => t.toLowerCase() === tag) ? `tag ${m.tag}` : undefined));
  }
  if (m.budget !== undefined) {
    const b = SHARE_COMPARISON.exec(m.budget)!;
    const op = b[1]!;
    const at = Number(b[2]) / (b[3] === "%" ? 100 : 1);
    out.push((r) => {
      const s = r.budgetShare;
      if (s === undefined || !(op === ">" ? s > at : s < at)) return undefined;
      return `budget ${Math.round(s * 100)}% spent ${op} ${Math.round(at * 100)}%`;
    });
  }
  if (m.time !== undefined) {
    const t = TIME_RANGE.exec(m.time)!;
    const from = Number(t[1]) * 60 + Number(t[2]);
    const to = Number(t[3]) * 60 + Number(t[4]);
    const range = m.time.replace(/\s+/g, "");
    out.push((r) => {
      const now = r.minuteOfDay();
      const inside = from <= to ? now >= from && now < to : now >= from || now < to;
      return inside ? `time ${hhmm(now)} in ${range}` : undefined;
    });
  }
  if (m.reasoning !== undefined) {
    const want = m.reasoning;
    out.push((r) => {
      const got = r.body.reasoning();
      if (got.requested !== want) return undefined;
      return want ? `reasoning${got.effort ? ` (${got.effort})` : ""}` : "no reasoning";
    });
  }
  const efforts = list(m.effort);
  if (efforts)
    out.push((r) => {
      const e = r.body.reasoning().effort;
      return e !== undefined && efforts.includes(e) ? `effort ${e}` : undefined;
    });
  if (m.tools !== undefined) {
    const want = m.tools;
    out.push((r) => (r.body.tools().length > 0 === want ? (want ? "tools" : "no tools") : undefined));
  }
  const names = list(m.tool)?.map((g) => ({ g, re: globToRegExp(g) }));
  if (names)
    out.push((r) => {
      for (const t of r.body.tools()) if (names.some((n) => n.re.test(t))) return `tool ${t}`;
      return undefined;
    });
  if (m.images !== undefined) {
    const want = m.images;
    out.push((r) => (r.body.media().images === want ? (want ? "images" : "no images") : undefined));
  }
  if (m.documents !== undefined) {
    const want = m.documents;
    out.push((r) => (r.body.media().documents === want ? (want ? "documents" : "no documents") : undefined));
  }
  return out;
}

/** A list of rules, compiled once (a configuration's, or those the admin API stored). */
export class RouteRules {
  private readonly compiled: readonly Compiled[];

  constructor(readonly rules: readonly RoutingRule[]) {
    this.compiled = rules.map((rule) => {
      const tokens = rule.match.input_tokens;
      return {
        rule,
        checks: checksOf(rule.match),
        tokens: tokens === undefined ? undefined : { ...count(tokens), text: tokens.replace(/\s+/g, " ").trim() },
      };
    });
  }

  get size(): number {
    return this.compiled.length;
  }

  /**
   * The first rule whose conditions all hold, and why; undefined when none does. Synchronous unless a rule
   * whose other conditions held asks for the input-token count.
   */
  first(r: RuleRequest): RuleMatched | undefined | Promise<RuleMatched | undefined> {
    for (let i = 0; i < this.compiled.length; i++) {
      const c = this.compiled[i]!;
      const why = holds(c, r);
      if (why === undefined) continue;
      if (!c.tokens) return matched(c, why);
      return this.counted(i, r, why);
    }
    return undefined;
  }

  /** From rule `i` on, those with a token condition waiting on the count. */
  private async counted(from: number, r: RuleRequest, firstWhy: string[]): Promise<RuleMatched | undefined> {
    const n = await r.body.inputTokens();
    for (let i = from; i < this.compiled.length; i++) {
      const c = this.compiled[i]!;
      const why = i === from ? firstWhy : holds(c, r);
      if (why === undefined) continue;
      const t = c.tokens;
      if (!t) return matched(c, why);
      if (t.op === ">" ? n > t.n : n < t.n) return matched(c, [`~${short(n)} tokens ${t.op} ${short(t.n)}`, ...why]);
    }
    return undefined;
  }
}

function holds(c: Compiled, r: RuleRequest): string[] | undefined {
  const why: string[] = [];
  for (const check of c.checks) {
    const w = check(r);
    if (w === undefined) return undefined;
    why.push(w);
  }
  return why;
}

function matched(c: Compiled, why: readonly string[]): RuleMatched {
  return { rule: c.rule.name, route: c.rule.route, why: why.length > 0 ? why.join(", ") : "every request" };
}

const NO_RULES = new RouteRules([]);

/** No rules: nothing to evaluate. */
export function noRules(): RouteRules {
  return NO_RULES;
}
