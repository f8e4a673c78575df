import { nanosOf, usd } from "../billing/cost.js";
import type { Quota } from "../identity/principal.js";
import type { ErrorInfo } from "../ir/types.js";
import type { Meter } from "../request/admission.js";
import type { RequestRecord } from "../request/record.js";
import { hotKeys } from "../state/keys.js";
import { HOLD_MS, reconcileBudget, seedBudget } from "./budget-seed.js";
import type { LimitsDeps } from "./deps.js";
import { windowOf } from "./windows.js";

const SCOPE_WORD = { key: "API key", team: "team", user: "user", tag: "tag" } as const;
const PERIOD_WORD = { day: "daily", week: "weekly", month: "monthly", total: "total" } as const;

/** What one request holds against its budgets, in nano-dollars: its reservation, grown as its answer streams. */
export interface Reservation {
  nanos: number;
}

/** One budget window a request reserved in: where, and its limit. */
export interface Hold {
  readonly q: Quota;
  readonly key: string;
  readonly limit: number;
  readonly ttl: number | undefined;
  readonly start: number;
  readonly end: number;
}

export interface BudgetCheck {
  hold?: Hold;
  /** The budget's nano-dollars left before this request. */
  left?: number;
  refused?: ErrorInfo;
}

/**
 * Budget windows this admission has seen seeded in the hot state, until when (ms) it trusts that without
 * asking: the reservation is then one round trip. Asked again after a while, so a Redis that lost its keys
 * is seeded from the ledger again. Also (`held <key>`) until when a window's `held` mark, renewed, stands.
 */
export type Seeded = Map<string, number>;
const SEEDED_MS = 10_000;
/** How often an admission renews a budget window's `held` mark (it lasts HOLD_MS: 15 minutes). */
const MARK_RENEW_MS = 1000;

/** Whether what `seeded` trusts under `key` is due again at `t`: never trusted, expired, or from a clock that went back. */
function due(seeded: Seeded, key: string, t: number, ms: number): boolean {
  const until = seeded.get(key);
  return until === undefined || until < t || until - t > ms;
}

/** Trusts what was just done under `key` for the next `ms` (once it succeeded: a failure is tried again). */
function trust(seeded: Seeded, key: string, t: number, ms: number): void {
  if (seeded.size > 100_000) seeded.clear();
  seeded.set(key, t + ms);
}

/** How a log line or alert names a quota's owner: `key alice-laptop (key_…)`, or `team data (team_…)`. */
export function quotaWho(q: Quota): string {
  return q.name && q.name !== q.id ? `${q.scope} ${q.name} (${q.id})` : `${q.scope} ${q.id}`;
}

const named = (q: Quota): { name?: string } => (q.name ? { name: q.name } : {});

/** Reserves the request's estimated cost in the quota's current budget window (seeded from the ledger: budget-seed.ts). */
export async function reserveBudget(
  deps: LimitsDeps,
  seeded: Seeded,
  q: Quota,
  t: number,
  res: Reservation,
): Promise<BudgetCheck> {
  const budget = q.budget!;
  const w = windowOf(budget.period, t, deps.timezone);
  const key = hotKeys.budget(q.scope, q.id, w.start);
  const limit = nanosOf(budget.usd);
  const ttl = Number.isFinite(w.end) ? w.end - t + 86_400_000 : undefined;
  if (due(seeded, key, t, SEEDED_MS)) {
    await seedBudget(deps, q, key, w.start, t, ttl);
    await reconcileBudget(deps, q, key, w.start).catch(() => undefined);
    trust(seeded, key, t, SEEDED_MS);
  }
  const hold: Hold = { q, key, limit, ttl, start: w.start, end: w.end };
  // The mark says a reservation was made lately (for 15 minutes): renewed at most once a second.
  const marked = `held ${key}`;
  if (due(seeded, marked, t, MARK_RENEW_MS)) {
    await markHeld(deps, key, t);
    trust(seeded, marked, t, MARK_RENEW_MS);
  }
  const r = await addToWindow(deps, hold, res.nanos, t);
  if (!r.ok) {
    // Refused by its budget (spent, or what is left cannot cover a request): pushed as an alert, once per window.
    deps.alert?.({
      rule: "budget_blocked",
      scope: q.scope,
      id: q.id,
      window: String(w.start),
      until: w.end,
      message: `${quotaWho(q)} is blocked by its ${budget.period} budget of $${budget.usd}`,
      fields: { spent_usd: usd(r.value), budget_usd: budget.usd, period: budget.period, ...named(q) },
    });
    return { refused: budgetRefusal(q, r.value, res.nanos, limit, w.end) };
  }
  if (r.value >= deps.alertAt * limit && (await deps.hot.setIfAbsent(hotKeys.budgetAlert(key), "1", ttl))) {
    const message = `${quotaWho(q)} has used ${Math.round((r.value / limit) * 100)}% of its ${budget.period} budget of $${budget.usd}`;
    deps.warn({ scope: q.scope, id: q.id, ...named(q), spent_usd: usd(r.value), budget_usd: budget.usd }, message);
    deps.alert?.({
      rule: "budget_share",
      scope: q.scope,
      id: q.id,
      window: String(w.start),
      until: w.end,
      message,
      fields: { spent_usd: usd(r.value), budget_usd: budget.usd, period: budget.period, ...named(q) },
    });
  }
  return { hold, left: limit - (r.value - res.nanos) };
}

/**
 * Adds to a budget window's counter within its limit, never to a counter that is absent: a window's counter
 * that is gone (Redis restarted, failed over or evicted it) is seeded from the ledger first, so a budget
 * never starts again from zero.
 */
async function addToWindow(deps: LimitsDeps, h: Hold, amount: number, t: number) {
  const r = await deps.hot.addWithin(h.key, amount, h.limit, h.ttl, true);
  if (!r.absent) return r;
  await seedBudget(deps, h.q, h.key, h.start, t, h.ttl);
  const again = await deps.hot.addWithin(h.key, amount, h.limit, h.ttl, true);
  return again.absent ? deps.hot.addWithin(h.key, amount, h.limit, h.ttl) : again;
}

/** Gives a reservation back whole (the request never went upstream, or failed before it cost anything). */
export function undoHold(deps: LimitsDeps, h: Hold, res: Reservation): Promise<void> {
  return deps.hot.adjust(h.key, -res.nanos).then(() => undefined);
}

/** Notes that a reservation was just made in the window (the crash reconciliation waits for quiet: budget-seed.ts). */
function markHeld(deps: LimitsDeps, key: string, t: number): Promise<void> {
  return deps.hot.set(hotKeys.budgetHeld(key), String(t), deps.holdMs ?? HOLD_MS);
}

/** Settles a reservation to the request's real cost. */
export function settleHold(deps: LimitsDeps, h: Hold, res: Reservation, _done: RequestRecord, cost: number) {
  // Only to a counter that exists: one that was lost is seeded from the ledger, where this request's row goes.
  // A request that cost what it held (an unpriced model: nothing) has nothing to settle.
  if (cost === res.nanos) return Promise.resolve();
  return deps.hot.adjust(h.key, cost - res.nanos).then(() => undefined);
}

/** Characters of generated text per output token, as the meter counts a streaming answer (text runs ≈ 4: counted high). */
const CHARS_PER_TOKEN = 3;

/**
 * The meter of a streamed answer bound by budgets: the reservation covers the input and some output; as
 * the answer passes what it covers, more is reserved (`step` at a time, or just what is missing when the
 * budget has less left), in every budget at once. When a budget cannot cover more, the answer is ended:
 * however large answers are and however many run at once, what all of them spend stays within the budget
 * but for the text of the last events each request received before its check.
 */
export function budgetMeter(
  deps: LimitsDeps,
  holds: readonly Hold[],
  res: Reservation,
  price: { inputNanos: number; perOutputToken: number; stepNanos: number; maxTokens?: number | undefined },
): Meter {
  let covered = coveredTokens();
  let last: { spent: number; hold: Hold } | undefined;
  function coveredTokens(): number {
    return Math.floor((res.nanos - price.inputNanos) / price.perOutputToken);
  }
  async function take(amount: number): Promise<boolean> {
    const t = (deps.now ?? Date.now)();
    const got = await Promise.all(holds.map((h) => addToWindow(deps, h, amount, t)));
    const refused = got.findIndex((r) => !r.ok);
    if (refused < 0) return true;
    last = { spent: got[refused]!.value, hold: holds[refused]! };
    await Promise.all(got.map((r, i) => (r.ok ? deps.hot.adjust(holds[i]!.key, -amount) : Promise.resolve(0))));
    return false;
  }
  async function more(tokens: number): Promise<boolean> {
    const need = Math.ceil(price.inputNanos + tokens * price.perOutputToken - res.nanos);
    for (const amount of need < price.stepNanos ? [price.stepNanos, need] : [need]) {
      await Promise.all(holds.map((h) => markHeld(deps, h.key, (deps.now ?? Date.now)())));
      if (await take(amount)) {
        res.nanos += amount;
        covered = coveredTokens();
        return true;
      }
    }
    return false;
  }
  return {
    output(chars: number) {
      // Counted high from its text, but never past the request's max_tokens: an upstream bills no more.
      const tokens = Math.min(Math.ceil(chars / CHARS_PER_TOKEN), price.maxTokens ?? Number.POSITIVE_INFINITY);
      return tokens <= covered ? true : more(tokens);
    },
    cut(): ErrorInfo {
      const h = last?.hold ?? holds[0]!;
      const b = h.q.budget!;
      return {
        status: 429,
        kind: "billing",
        code: "insufficient_quota",
        message: `Budget exhausted during the answer: this ${SCOPE_WORD[h.q.scope]}'s ${PERIOD_WORD[b.period]} budget of $${b.usd} cannot cover more output (spent or held: $${dollars(last?.spent ?? h.limit)})${resets(h.end)}; the answer was ended here. Ask your llmux administrator to raise it.`,
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
 * Why a reservation did not fit: the budget is spent (what was spent, all of it, not capped at the budget),
 * or it has something left but less than this request's estimated cost (both figures, with the spend and
 * what requests in flight hold).
 */
export function budgetRefusal(q: Quota, held: number, reserve: number, limit: number, end: number): ErrorInfo {
  const b = q.budget!;
  const who = SCOPE_WORD[q.scope];
  const base = { status: 429, kind: "billing" as const, code: "insufficient_quota" };
  if (held >= limit)
    return {
      ...base,
      message: `Budget exhausted: this ${who} has spent $${dollars(held)} of its ${PERIOD_WORD[b.period]} budget of $${b.usd}${resets(end)}. Ask your llmux administrator to raise it.`,
    };
  return {
    ...base,
    message: `Budget nearly exhausted: this ${who} has spent $${dollars(held)} of its ${PERIOD_WORD[b.period]} budget of $${b.usd}${resets(end)}. The $${dollars(limit - held)} left (less what requests in flight hold) does not fit this request's estimated cost of $${dollars(reserve)}: retry once requests in flight have finished, ask for fewer output tokens (max_tokens), or ask your llmux administrator to raise the budget.`,
  };
}
