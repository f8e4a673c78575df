import { nanosOf, usd } from "../billing/cost.js";
import type { Quota } from "../identity/principal.js";
import type { ErrorInfo } from "../ir/types.js";
import type { Meter } from "../request/admission.js";
import { hotKeys } from "../state/keys.js";
import type { BudgetWindowRef } from "./budget-book.js";
import type { Escrow, Held } from "./budget-escrow.js";
import type { LimitsDeps } from "./deps.js";
import { type Window, windowOf } from "./windows.js";

const SCOPE_WORD = { key: "API key", team: "team", user: "user", tag: "tag" } as const;
const PERIOD_WORD = { day: "daily", week: "weekly", month: "monthly", total: "total" } as const;

/**
 * What one request holds against its budgets, in nano-dollars: its realistic estimate, grown as its answer
 * streams; and the most it may cost (its max_tokens, else its model's most output).
 */
export interface Reservation {
  nanos: number;
  worst: number;
  /** Of `nanos`, what the web searches and fetches llmux may run for the request hold (their max_uses). */
  web?: number | undefined;
}

export interface BudgetCheck {
  held?: Held;
  /** The budget's nano-dollars left before this request. */
  left?: number;
  refused?: ErrorInfo;
}

/** How a log line or alert names a quota's owner: `key alice-laptop (key_…)`, or `team data (team_…)`. */
export function quotaWho(q: Quota): string {
  return q.name && q.name !== q.id ? `${q.scope} ${q.name} (${q.id})` : `${q.scope} ${q.id}`;
}

const named = (q: Quota): { name?: string } => (q.name ? { name: q.name } : {});

/** Holds the request's cost in the quota's current budget window, its worst covered (budget-escrow.ts). */
export async function reserveBudget(
  deps: LimitsDeps,
  escrow: Escrow,
  q: Quota,
  t: number,
  res: Reservation,
): Promise<BudgetCheck> {
  const budget = q.budget!;
  const w = windowOf(budget.period, t, deps.timezone);
  const limit = nanosOf(budget.usd);
  const ref: BudgetWindowRef = { scope: q.scope, subject: q.id, start: w.start, end: w.end };
  const r = await escrow.take(ref, limit, res.nanos, res.worst);
  if (!r.ok) {
    // Refused by its budget (spent, or what is left cannot cover a request): pushed as an alert, once per window.
    deps.alert?.({
      rule: "budget_blocked",
      scope: q.scope,
      id: q.id,
      window: String(w.start),
      until: w.end,
      message: `${quotaWho(q)} is blocked by its ${budget.period} budget of $${budget.usd}`,
      fields: {
        ...(r.spent !== undefined ? { spent_usd: usd(r.spent) } : {}),
        budget_usd: budget.usd,
        period: budget.period,
        ...named(q),
      },
    });
    return { refused: budgetRefusal(q, r.spent, r.held, res.nanos, limit, w.end, res.web) };
  }
  const used = limit - r.left + res.nanos;
  if (used >= deps.alertAt * limit) void shareAlert(deps, escrow.alerted, q, w, t, limit, used);
  return { held: r.held, left: r.left };
}

/** The soft alert at `alertAt` of a budget: logged once per window here, pushed once across instances. */
async function shareAlert(
  deps: LimitsDeps,
  alerted: Set<string>,
  q: Quota,
  w: Window,
  t: number,
  limit: number,
  used: number,
): Promise<void> {
  const budget = q.budget!;
  const key = hotKeys.budgetAlert(q.scope, q.id, w.start);
  if (alerted.has(key)) return;
  if (alerted.size > 100_000) alerted.clear();
  alerted.add(key);
  const message = `${quotaWho(q)} has used ${Math.round((used / limit) * 100)}% of its ${budget.period} budget of $${budget.usd}`;
  // The log line: once per window from each instance, at once.
  deps.warn({ scope: q.scope, id: q.id, ...named(q), spent_usd: usd(used), budget_usd: budget.usd }, message);
  const ttl = Number.isFinite(w.end) ? w.end - t + 86_400_000 : undefined;
  // The alert: once across instances by the hot state (no budget decision asks it; unreachable: sent from here).
  const first = await deps.hot.setIfAbsent(key, "1", ttl).catch(() => true);
  if (!first) return;
  deps.alert?.({
    rule: "budget_share",
    scope: q.scope,
    id: q.id,
    window: String(w.start),
    until: w.end,
    message,
    fields: { spent_usd: usd(used), budget_usd: budget.usd, period: budget.period, ...named(q) },
  });
}

/** Characters of generated text per output token, as the meter counts a streaming answer (text runs ≈ 4: counted high). */
const CHARS_PER_TOKEN = 3;
/** Characters per output token of typical text (prose and code run 3.5 to 4.5). */
const TEXT_CHARS_PER_TOKEN = 4;

/**
 * The output tokens the meter counts for an answer of `tokens` tokens of typical text: an estimate held for a
 * metered answer covers its usual length as the meter will count it, so that an answer of the usual length
 * does not have to hold more as it streams (a round on the budget and a journal line more).
 */
export function meteredTokens(tokens: number): number {
  return Math.ceil((tokens * TEXT_CHARS_PER_TOKEN) / CHARS_PER_TOKEN);
}

/**
 * The meter of a streamed answer bound by budgets: the hold covers the input and the most output the request
 * is what the request may cost, estimated. As its text passes that, more is held (`step` at a time, or just what
 * is missing when the budget has less left), in every budget at once: from the slices held, else leased; when
 * a budget cannot cover more, the answer is ended.
 */
export function budgetMeter(
  escrow: Escrow,
  holds: readonly { q: Quota; held: Held }[],
  res: Reservation,
  price: { inputNanos: number; perOutputToken: number; stepNanos: number; maxTokens?: number | undefined },
  grew?: (nanos: number) => void,
): Meter {
  const coveredTokens = () => Math.floor((res.nanos - price.inputNanos) / price.perOutputToken);
  let covered = coveredTokens();
  let last: { q: Quota; held: Held } | undefined;
  async function more(tokens: number): Promise<boolean> {
    const need = Math.ceil(price.inputNanos + tokens * price.perOutputToken - res.nanos);
    for (const amount of need < price.stepNanos ? [price.stepNanos, need] : [need]) {
      const took: Held[] = [];
      let failed: { q: Quota; held: Held } | undefined;
      for (const h of holds) {
        if (!(await escrow.grow(h.held, amount))) {
          failed = h;
          break;
        }
        took.push(h.held);
      }
      if (!failed) {
        res.nanos += amount;
        covered = coveredTokens();
        grew?.(res.nanos);
        return true;
      }
      for (const h of took) escrow.shrink(h, amount);
      last = failed;
    }
    return false;
  }
  return {
    output(chars: number) {
      // Counted high from its text, but never past the request's max_tokens: an upstream bills no more.
      const tokens = Math.min(Math.ceil(chars / CHARS_PER_TOKEN), price.maxTokens ?? Number.POSITIVE_INFINITY);
      if (tokens <= covered) return true;
      return more(tokens);
    },
    cut(): ErrorInfo {
      const q = last?.q ?? holds[0]!.q;
      const b = q.budget!;
      return {
        status: 429,
        kind: "billing",
        code: "insufficient_quota",
        message: `Budget exhausted during the answer: this ${SCOPE_WORD[q.scope]}'s ${PERIOD_WORD[b.period]} budget of $${b.usd} cannot cover more output${resets(windowOf(b.period, Date.now()).end)}; the answer was ended here. Ask your llmux administrator to raise it.`,
      };
    },
  };
}

/** Dollars with enough digits below a cent to mean something: $7.44, $0.00132, $0.50. */
export function dollars(nanos: number): string {
  const v = usd(nanos);
  if (v === 0) return "0.00";
  if (Math.abs(v) >= 1) return v.toFixed(2);
  const s = String(Number(v.toPrecision(3)));
  const decimals = s.split(".")[1]?.length ?? 0;
  return decimals < 2 ? v.toFixed(2) : s;
}

function resets(end: number): string {
  return Number.isFinite(end) ? `; it resets at ${new Date(end).toISOString()}` : "; it does not reset";
}

/**
 * Why a request's hold did not fit: the budget is spent (what was spent, all of it, not capped at the budget),
 * or it has something left but less than this request may cost (both figures, with the spend and what
 * requests in flight hold). `spent` is the book's figure; undefined when the book never answered here: the
 * refusal then says only what it knows.
 */
export function budgetRefusal(
  q: Quota,
  spent: number | undefined,
  held: number,
  reserve: number,
  limit: number,
  end: number,
  web = 0,
): ErrorInfo {
  const b = q.budget!;
  const who = SCOPE_WORD[q.scope];
  const base = { status: 429, kind: "billing" as const, code: "insufficient_quota" };
  // A refusal a retry would get again until the window resets says so (`x-should-retry: false`, which the
  // OpenAI and Anthropic SDKs and the tools built on them honour): Copilot CLI otherwise retries the 429 five
  // times over about a minute. One that a retry may pass (the book did not answer, or requests in flight hold
  // what is missing) leaves the client its own retries.
  const final = { ...base, headers: { "x-should-retry": "false" } };
  if (spent === undefined)
    return {
      ...(reserve > limit ? final : base),
      message:
        reserve > limit
          ? `Budget too small: this request may cost $${dollars(reserve)}, more than this ${who}'s whole ${PERIOD_WORD[b.period]} budget of $${b.usd}${resets(end)}. Ask for fewer output tokens (max_tokens), or ask your llmux administrator to raise the budget.`
          : `Budget not checked: what this ${who} has spent of its ${PERIOD_WORD[b.period]} budget of $${b.usd} could not be read (llmux's database did not answer), so this request, which may cost $${dollars(reserve)}, was refused. Retry shortly.`,
    };
  if (spent >= limit)
    return {
      ...final,
      message: `Budget exhausted: this ${who} has spent $${dollars(spent)} of its ${PERIOD_WORD[b.period]} budget of $${b.usd}${resets(end)}. Ask your llmux administrator to raise it.`,
    };
  const inFlight = held > 0 ? ` (requests in flight hold $${dollars(held)} of it)` : "";
  // With nothing held, or a request that may cost more than the whole budget, no other request's end makes room:
  // a retry gets the same answer until the window resets.
  const retry = held > 0 && reserve <= limit ? "retry once requests in flight have finished, " : "";
  return {
    ...(retry ? base : final),
    message: `Budget nearly exhausted: this ${who} has spent $${dollars(spent)} of its ${PERIOD_WORD[b.period]} budget of $${b.usd}${resets(end)}. The $${dollars(limit - spent)} left${inFlight} does not fit what this request may cost, $${dollars(reserve)}${web > 0 ? ` ($${dollars(web)} of it for the web searches and fetches its tools' max_uses allow)` : ""}: ${retry}ask for fewer output tokens (max_tokens)${web > 0 ? " or fewer web searches (max_uses)" : ""}, or ask your llmux administrator to raise the budget.`,
  };
}
