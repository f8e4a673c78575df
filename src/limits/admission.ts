import { costOf, nanosOf, usd } from "../billing/cost.js";
import type { Quota } from "../identity/principal.js";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import type { Admission, AdmitInput, Admitted } from "../request/admission.js";
import type { RequestRecord } from "../request/record.js";
import { usageOf } from "../request/record.js";
import type { Throttled } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import { seedBudget } from "./budget-seed.js";
import type { LimitsDeps } from "./deps.js";
import { rateLimitHeaders } from "./headers.js";
import { windowOf } from "./windows.js";

const SCOPE_WORD = { key: "API key", team: "team", user: "user" } as const;

/** The principal's own quotas, and its user's when `billing.users` names one. */
function quotasOf(p: AdmitInput["principal"], users: LimitsDeps["users"]): readonly Quota[] | undefined {
  const u = p.user !== undefined ? users?.[p.user] : undefined;
  if (!u) return p.quotas;
  return [...(p.quotas ?? []), { scope: "user", id: p.user!, budget: u.budget, limits: u.limits }];
}

const MINUTE = 60_000;
/** At most this many output tokens of `max_tokens` are reserved against a budget before the answer. */
const OUTPUT_RESERVE_CAP = 4096;

const ADMITTED: Admitted = { admitted: true };
const PERIOD_WORD = { day: "daily", week: "weekly", month: "monthly", total: "total" } as const;

interface Taken {
  undo(): Promise<void>;
  settle(rec: RequestRecord, costNanos: number): Promise<void>;
}

/** One check of the admit stage: what it took (to settle or give back), or why it refuses. */
interface Check {
  taken?: Taken;
  refused?: ErrorInfo;
}

/**
 * Budget windows this admission has seen seeded in the hot state, until when (ms) it trusts that without
 * asking: the reservation is then one round trip. Asked again after a while, so a Redis that lost its keys
 * is seeded from the ledger again.
 */
type Seeded = Map<string, number>;
const SEEDED_MS = 10_000;

/** Reserves `reserve` nano-dollars in the quota's current budget window (seeded from the ledger: budget-seed.ts). */
async function reserveBudget(deps: LimitsDeps, seeded: Seeded, q: Quota, t: number, reserve: number): Promise<Check> {
  const budget = q.budget!;
  const w = windowOf(budget.period, t, deps.timezone);
  const key = hotKeys.budget(q.scope, q.id, w.start);
  const limit = nanosOf(budget.usd);
  const ttl = Number.isFinite(w.end) ? w.end - t + 86_400_000 : undefined;
  const checked = seeded.get(key);
  if (checked === undefined || checked < t || checked - t > SEEDED_MS) {
    await seedBudget(deps, q, key, w.start, t, ttl);
    if (seeded.size > 100_000) seeded.clear();
    seeded.set(key, t + SEEDED_MS);
  }
  const r = await deps.hot.addWithin(key, reserve, limit, ttl);
  if (!r.ok) return { refused: exhausted(q, r.value, limit, w.end) };
  if (r.value >= deps.alertAt * limit && (await deps.hot.setIfAbsent(hotKeys.budgetAlert(key), "1", ttl))) {
    deps.warn(
      { scope: q.scope, id: q.id, spent_usd: usd(r.value), budget_usd: budget.usd },
      `${q.scope} ${q.id} has used ${Math.round((r.value / limit) * 100)}% of its ${budget.period} budget of $${budget.usd}`,
    );
  }
  return {
    taken: {
      undo: () => deps.hot.incr(key, -reserve, ttl).then(() => undefined),
      settle: (_done, cost) => deps.hot.incr(key, cost - reserve, ttl).then(() => undefined),
    },
  };
}

/** Gives units back to (negative) or takes more from a GCRA bucket, whatever it holds (a settlement). */
function give(deps: LimitsDeps, key: string, cost: number, limit: number): Promise<void> {
  if (cost === 0) return Promise.resolve();
  return deps.hot.throttle(key, cost, limit, MINUTE, (deps.now ?? Date.now)(), true).then(() => undefined);
}

function refusal(
  client: Dialect,
  kind: "rpm" | "tpm" | "concurrency",
  q: Quota,
  limit: number,
  r: Pick<Throttled, "remaining" | "retryMs" | "resetMs">,
): ErrorInfo {
  const what = kind === "rpm" ? "requests per minute" : kind === "tpm" ? "tokens per minute" : "concurrent requests";
  const seconds = Math.max(1, Math.ceil(r.retryMs / 1000));
  return {
    status: 429,
    kind: "rate_limit",
    code: "rate_limit_exceeded",
    message: `Rate limit reached: this ${SCOPE_WORD[q.scope]} may make ${limit} ${what}. Try again in ${seconds} s.`,
    retryAfter: String(seconds),
    headers: rateLimitHeaders(client, kind, limit, r.remaining, r.resetMs),
  };
}

/**
 * The admit stage's limits and budgets, on the hot state (memory, or Redis shared by every instance):
 * concurrency slots, rpm and tpm by GCRA (a token bucket refilling evenly: no burst at a minute's edge), and budgets on calendar windows where each request
 * reserves its estimated cost before it goes upstream and settles to its real cost after (so 50 requests
 * at once cannot all slip under the last dollar). Keys and teams each have their own quota; a request must
 * fit all that apply. Refusals roll back what was taken.
 */
export function limitsAdmission(deps: LimitsDeps): Admission {
  const now = deps.now ?? Date.now;
  const seeded: Seeded = new Map();
  return {
    async admit(input: AdmitInput): Promise<Admitted | ErrorInfo> {
      const quotas = quotasOf(input.principal, deps.users);
      if (!quotas) return ADMITTED;
      const { plan } = input;
      const t = now();
      const inTokens = Math.ceil(input.requestBytes / 4);
      const outShare = Math.min(plan.maxOutputTokens ?? OUTPUT_RESERVE_CAP, OUTPUT_RESERVE_CAP);
      const estTokens = inTokens + outShare;
      const price = deps.billing.prices.find(plan.route.upstreamModel);
      const reserve = costOf({ inputTokens: inTokens, outputTokens: outShare }, price, t).nanos;
      // Every check of every quota runs at once (one or two round trips to Redis, not one per check); what
      // was taken is given back when any of them refuses.
      const checks: Promise<Check>[] = [];
      for (const q of quotas) {
        const L = q.limits;
        const base = `${q.scope}:${q.id}`;
        if (L?.concurrency) {
          const conc = L.concurrency;
          const key = hotKeys.concurrency(q.scope, q.id);
          const release = () => deps.hot.incr(key, -1).then(() => undefined);
          checks.push(
            deps.hot.addWithin(key, 1, conc, 10 * MINUTE).then((r) =>
              r.ok
                ? { taken: { undo: release, settle: release } }
                : {
                    refused: refusal(plan.client, "concurrency", q, conc, {
                      remaining: 0,
                      retryMs: 1000,
                      resetMs: 1000,
                    }),
                  },
            ),
          );
        }
        if (L?.rpm) {
          const rpm = L.rpm;
          const key = hotKeys.rpm(base);
          checks.push(
            deps.hot
              .throttle(key, 1, rpm, MINUTE, t)
              .then((r) =>
                r.ok
                  ? { taken: { undo: () => give(deps, key, -1, rpm), settle: async () => undefined } }
                  : { refused: refusal(plan.client, "rpm", q, rpm, r) },
              ),
          );
        }
        if (L?.tpm) {
          const tpm = L.tpm;
          const amount = Math.min(estTokens, tpm);
          const key = hotKeys.tpm(base);
          checks.push(
            deps.hot.throttle(key, amount, tpm, MINUTE, t).then((r) =>
              r.ok
                ? {
                    taken: {
                      undo: () => give(deps, key, -amount, tpm),
                      settle: async (done: RequestRecord) => {
                        const u = usageOf(done);
                        await give(deps, key, u.inputTokens + u.outputTokens - amount, tpm);
                      },
                    },
                  }
                : { refused: refusal(plan.client, "tpm", q, tpm, r) },
            ),
          );
        }
        if (q.budget) checks.push(reserveBudget(deps, seeded, q, t, reserve));
      }
      const results = await Promise.all(checks);
      const taken = results.flatMap((r) => (r.taken ? [r.taken] : []));
      const refused = results.find((r) => r.refused)?.refused;
      if (refused) {
        await Promise.all(taken.map((x) => x.undo().catch(() => undefined)));
        return refused;
      }
      if (taken.length === 0) return ADMITTED;
      return {
        admitted: true,
        release: async (done: RequestRecord | undefined) => {
          if (!done) {
            await Promise.all(taken.map((x) => x.undo().catch(() => undefined)));
            return;
          }
          const cost = deps.billing.cost(done).nanos;
          await Promise.all(taken.map((x) => x.settle(done, cost).catch(() => undefined)));
        },
      };
    },
  };
}

function exhausted(q: Quota, spent: number, limit: number, end: number): ErrorInfo {
  const b = q.budget!;
  const resets = Number.isFinite(end) ? `; it resets at ${new Date(end).toISOString()}` : "; it does not reset";
  return {
    status: 429,
    kind: "billing",
    code: "insufficient_quota",
    message: `Budget exhausted: this ${SCOPE_WORD[q.scope]} has spent $${usd(Math.min(spent, limit)).toFixed(2)} of its ${PERIOD_WORD[b.period]} budget of $${b.usd}${resets}. Ask your llmux administrator to raise it.`,
  };
}
