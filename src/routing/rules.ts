/**
 * Routing rules (`routing.rules:`): an ordered list, the first rule whose conditions all hold routes the
 * request to its alias. Each rule is compiled once into a list of checks, cheapest first; the input-token
 * count (the one that costs: the tokenizer) is asked for last, and only when every other condition held.
 * Nothing here does I/O. Every check that holds says why in words (`~182k tokens > 120k`), which the
 * `llmux-route` header and the request log carry.
 */
import type { RoutingRule, RuleMatch } from "../config/schema-rules.js";
import { COMPARISON, SHARE_COMPARISON, TIME_RANGE } from "../config/shared-values.js";
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

/**
 * One condition: whether it holds, and the words saying why (asked only of the rule that held: a request
 * walking 20 rules that do not hold allocates nothing for them).
 */
interface Check {
  readonly test: (r: RuleRequest) => boolean;
  readonly why: (r: RuleRequest) => string;
}

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

/** Any of these words, whole and in any case, as one expression (tested without lower-casing the request's). */
function anyOf(words: readonly string[]): RegExp {
  return new RegExp(`^(?:${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`, "i");
}

/** The first of a list that an expression matches (no closure, no array). */
function firstMatching(values: readonly string[], re: RegExp): string | undefined {
  for (let i = 0; i < values.length; i++) if (re.test(values[i]!)) return values[i];
  return undefined;
}

/** The first of a list that one of the expressions matches. */
function firstOfAny(values: readonly string[], res: readonly RegExp[]): string | undefined {
  for (let i = 0; i < values.length; i++)
    for (let j = 0; j < res.length; j++) if (res[j]!.test(values[i]!)) return values[i];
  return undefined;
}

function checksOf(m: RuleMatch): Check[] {
  const out: Check[] = [];
  // Cheapest first: what the headers and the key say, then the body's reasoning, tools and media.
  if (m.model !== undefined) {
    const re = globToRegExp(m.model);
    const glob = m.model;
    const pattern = glob.includes("*");
    out.push({
      test: (r) => re.test(r.model),
      why: (r) => (pattern ? `model ${r.model} matches ${glob}` : `model ${glob}`),
    });
  }
  const clients = list(m.client);
  if (clients) {
    const re = anyOf(clients);
    out.push({ test: (r) => r.client !== undefined && re.test(r.client), why: (r) => `client ${r.client}` });
  }
  if (m.agent !== undefined) {
    const agent = m.agent;
    const words = agent === "sub" ? "sub-agent" : "main loop";
    out.push({ test: (r) => r.agent === agent, why: () => words });
  }
  if (m.key !== undefined) {
    const re = globToRegExp(m.key);
    out.push({ test: (r) => r.key !== undefined && re.test(r.key), why: (r) => `key ${r.key}` });
  }
  if (m.team !== undefined) {
    const team = m.team;
    const words = `team ${team}`;
    out.push({ test: (r) => r.team === team, why: () => words });
  }
  if (m.tag !== undefined) {
    const re = anyOf([m.tag]);
    const words = `tag ${m.tag}`;
    out.push({ test: (r) => firstMatching(r.tags, re) !== undefined, why: () => words });
  }
  if (m.budget !== undefined) {
    const b = SHARE_COMPARISON.exec(m.budget)!;
    const op = b[1]!;
    const at = Number(b[2]) / (b[3] === "%" ? 100 : 1);
    out.push({
      test: (r) => {
        const s = r.budgetShare;
        return s !== undefined && (op === ">" ? s > at : s < at);
      },
      why: (r) => `budget ${Math.round(r.budgetShare! * 100)}% spent ${op} ${Math.round(at * 100)}%`,
    });
  }
  if (m.time !== undefined) {
    const t = TIME_RANGE.exec(m.time)!;
    const from = Number(t[1]) * 60 + Number(t[2]);
    const to = Number(t[3]) * 60 + Number(t[4]);
    const range = m.time.replace(/\s+/g, "");
    out.push({
      test: (r) => {
        const now = r.minuteOfDay();
        return from <= to ? now >= from && now < to : now >= from || now < to;
      },
      why: (r) => `time ${hhmm(r.minuteOfDay())} in ${range}`,
    });
  }
  if (m.reasoning !== undefined) {
    const want = m.reasoning;
    out.push({
      test: (r) => r.body.reasoning().requested === want,
      why: (r) => {
        const effort = r.body.reasoning().effort;
        return want ? `reasoning${effort ? ` (${effort})` : ""}` : "no reasoning";
      },
    });
  }
  const efforts = list(m.effort);
  if (efforts)
    out.push({
      test: (r) => {
        const e = r.body.reasoning().effort;
        return e !== undefined && efforts.includes(e);
      },
      why: (r) => `effort ${r.body.reasoning().effort}`,
    });
  if (m.tools !== undefined) {
    const want = m.tools;
    const words = want ? "tools" : "no tools";
    out.push({ test: (r) => r.body.tools().length > 0 === want, why: () => words });
  }
  const names = list(m.tool)?.map((g) => globToRegExp(g));
  if (names)
    out.push({
      test: (r) => firstOfAny(r.body.tools(), names) !== undefined,
      why: (r) => `tool ${firstOfAny(r.body.tools(), names)}`,
    });
  if (m.images !== undefined) {
    const want = m.images;
    const words = want ? "images" : "no images";
    out.push({ test: (r) => r.body.media().images === want, why: () => words });
  }
  if (m.documents !== undefined) {
    const want = m.documents;
    const words = want ? "documents" : "no documents";
    out.push({ test: (r) => r.body.media().documents === want, why: () => words });
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
      if (!holds(c, r)) continue;
      if (!c.tokens) return matched(c, r);
      return this.counted(i, r);
    }
    return undefined;
  }

  /** From rule `i` on (its other conditions held), those with a token condition waiting on the count. */
  private async counted(from: number, r: RuleRequest): Promise<RuleMatched | undefined> {
    const n = await r.body.inputTokens();
    for (let i = from; i < this.compiled.length; i++) {
      const c = this.compiled[i]!;
      if (i !== from && !holds(c, r)) continue;
      const t = c.tokens;
      if (!t) return matched(c, r);
      if (t.op === ">" ? n > t.n : n < t.n) return matched(c, r, `~${short(n)} tokens ${t.op} ${short(t.n)}`);
    }
    return undefined;
  }
}

/** Whether every condition of a rule (but its token count) holds. */
function holds(c: Compiled, r: RuleRequest): boolean {
  const checks = c.checks;
  for (let i = 0; i < checks.length; i++) if (!checks[i]!.test(r)) return false;
  return true;
}

/** The rule that held, with why in words (its token count first, when it has one). */
function matched(c: Compiled, r: RuleRequest, tokens?: string): RuleMatched {
  const why = c.checks.map((check) => check.why(r));
  if (tokens) why.unshift(tokens);
  return { rule: c.rule.name, route: c.rule.route, why: why.length > 0 ? why.join(", ") : "every request" };
}

const NO_RULES = new RouteRules([]);

/** No rules: nothing to evaluate. */
export function noRules(): RouteRules {
  return NO_RULES;
}
